pytest_plugins = ["recouvre.testing.fixtures"]
