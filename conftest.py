pytest_plugins = [
    "recouvre.testing.fixtures",
    "recouvre.testing.smtp",
    "recouvre.testing.fake_brevo",
    "recouvre.testing.fake_mollie",
    "recouvre.testing.browser",
]
