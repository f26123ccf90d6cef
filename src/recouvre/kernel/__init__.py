"""Pure value types and rules shared by every app. Imports the standard library and pure
third-party libraries only (stdnum, phonenumbers): never Django, never another recouvre package."""
