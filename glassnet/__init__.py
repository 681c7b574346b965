"""glassnet: a multi-layer perceptron you can see through."""
__version__ = "0.1.0"
