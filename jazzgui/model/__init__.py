"""The LSTM: network, training, sampling and model files (TensorFlow imported inside functions)."""
