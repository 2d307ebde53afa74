"""Training data: the Rasa YAML reader, importers, writer and the hash split."""

from nlu.data.training_data import EntityAnnotation, Example, LookupTable, RegexPattern, TrainingData
from nlu.data.yaml_reader import load_training_data

__all__ = ["EntityAnnotation", "Example", "LookupTable", "RegexPattern", "TrainingData", "load_training_data"]
