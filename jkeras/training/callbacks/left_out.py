"""Names of `keras.callbacks` that jkeras does not provide (yet), with the reason; the API
coverage test (tests/test_keras_catalogue.py) reads this."""

LEFT_OUT = {}
