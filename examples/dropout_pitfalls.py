"""Every dropout mistake RNN Lab knows, in one file. Run `rnnlab lint` on it."""
import keras
from keras import layers

T, F = 50, 128

# DR101: a plain Dropout between recurrent layers draws a new mask at each timestep.
stacked = keras.Sequential(
    [
        keras.Input(shape=(T, F)),
        layers.LSTM(128, return_sequences=True),
        layers.Dropout(0.5),
        layers.GRU(64),
        layers.Dense(1),
    ]
)

# DR103 + DR102: TimeDistributed does not share a mask; noise_shape (None, None, 1) drops timesteps.
inputs = keras.Input(shape=(T, F))
x = layers.TimeDistributed(layers.Dropout(0.3))(inputs)
x = layers.LSTM(64, return_sequences=True)(x)
x = layers.Dropout(0.2, noise_shape=(None, None, 1))(x)
x = layers.LSTM(32)(x)
outputs = layers.Dense(5, activation="softmax")(x)
tagger = keras.Model(inputs, outputs)
tagger.compile(optimizer="adam", loss="sparse_categorical_crossentropy")

# SH201 + CU301: the second LSTM gets (None, 64); recurrent_dropout rules out cuDNN.
broken = keras.Sequential(
    [
        keras.Input(shape=(T, 8)),
        layers.LSTM(64, recurrent_dropout=0.2),
        layers.LSTM(32),
        layers.Dense(1),
        layers.Dropout(0.1),
    ]
)
broken.compile(optimizer=keras.optimizers.Adam(learning_rate=0.1), loss="mse")
