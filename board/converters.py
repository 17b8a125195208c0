class NumberConverter:
    """A positive number that fits every database's integer column: 1 to 9 digits. A longer
    one is no article (404), instead of an integer overflow in the database (500)."""

    regex = "[0-9]{1,9}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)
