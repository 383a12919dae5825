"""A GRU classifier that keeps one dropout mask per sequence (variational dropout)."""
import keras
from keras import layers

T, F, CLASSES = 100, 16, 5

model = keras.Sequential(
    [
        keras.Input(shape=(T, F)),
        layers.GRU(64, dropout=0.2, return_sequences=True),
        layers.GRU(32, dropout=0.2),
        layers.Dropout(0.5),
        layers.Dense(CLASSES, activation="softmax"),
    ]
)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
