"""Forecast the next value of a sensor series with two stacked LSTMs."""
import numpy as np
from tensorflow import keras
from tensorflow.keras import layers

WINDOW, FEATURES = 48, 3


def build_model(units=64, dropout=0.3):
    model = keras.Sequential()
    model.add(keras.Input(shape=(WINDOW, FEATURES)))
    model.add(layers.LSTM(units, return_sequences=True))
    model.add(layers.Dropout(dropout))  # a new mask at every timestep
    model.add(layers.LSTM(units // 2))
    model.add(layers.Dense(1))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss="mse")
    return model


if __name__ == "__main__":
    x = np.random.rand(256, WINDOW, FEATURES)
    y = np.random.rand(256, 1)
    build_model().fit(x, y, epochs=3)
