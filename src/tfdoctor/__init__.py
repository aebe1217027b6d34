"""tfdoctor: find out why TensorFlow and Keras do not work together, and fix it."""

__version__ = "0.1.0"
