"""Export: phone files (.tflite with metadata) and TensorFlow SavedModels."""
