"""Next-frame prediction with ConvLSTM2D on generated clips of moving digits.

Each clip is 6 frames of 16x16: one of scikit-learn's 8x8 digits placed at a random spot of a
blank canvas and moved by a fixed random velocity (dx, dy in {-2..2}), bouncing off the borders.
The model sees frames 0..4 and predicts frames 1..5, one step ahead at every time step:
ConvLSTM2D (8 filters, return_sequences=True), BatchNormalization and a Conv3D with a sigmoid
that paints each next frame. Trained with binary cross-entropy; the training loss must
fall, and on held-out clips the prediction must beat the "nothing moves" baseline (repeating
the current frame) in mean squared error. No download: the digits ship with scikit-learn.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout

import numpy as np
from sklearn.datasets import load_digits

import jkeras
from jkeras import layers

FRAMES, SIZE, CLIPS = 6, 16, 256
EPOCHS, BATCH = 6, 16


def make_clips(n, seed):
    """(n, FRAMES, SIZE, SIZE, 1) clips of one moving, bouncing digit in [0, 1]."""
    rng = np.random.default_rng(seed)
    digits = load_digits().images / 16.0
    clips = np.zeros((n, FRAMES, SIZE, SIZE, 1), np.float32)
    span = SIZE - 8
    for i in range(n):
        image = digits[rng.integers(len(digits))]
        y, x = rng.integers(0, span + 1, size=2)
        dy, dx = rng.choice([-2, -1, 1, 2], size=2)
        for t in range(FRAMES):
            clips[i, t, y:y + 8, x:x + 8, 0] = image
            if not 0 <= y + dy <= span:
                dy = -dy
            if not 0 <= x + dx <= span:
                dx = -dx
            y, x = y + dy, x + dx
    return clips


def build_model():
    inputs = layers.Input(shape=(FRAMES - 1, SIZE, SIZE, 1))
    x = layers.ConvLSTM2D(8, 3, padding="same", return_sequences=True)(inputs)
    x = layers.BatchNormalization()(x)
    outputs = layers.Conv3D(1, (1, 3, 3), padding="same", activation="sigmoid")(x)
    return jkeras.Model(inputs, outputs, name="next_frame")


def main():
    clips = make_clips(CLIPS, seed=0)
    held_out = make_clips(48, seed=1)
    x, y = clips[:, :-1], clips[:, 1:]
    x_test, y_test = held_out[:, :-1], held_out[:, 1:]
    print(f"clips: {len(clips)} train / {len(held_out)} test, shape {clips.shape[1:]}")
    jkeras.utils.set_random_seed(0)
    model = build_model()
    model.compile(optimizer=jkeras.optimizers.Adam(3e-3), loss="binary_crossentropy")
    start = time.perf_counter()
    history = model.fit(x, y, epochs=EPOCHS, batch_size=BATCH, verbose=0).history["loss"]
    seconds = time.perf_counter() - start
    predicted = model.predict(x_test, verbose=0)
    mse = float(np.mean((predicted - y_test) ** 2))
    still = float(np.mean((x_test - y_test) ** 2))  # "nothing moves": repeat the frame
    print(f"train loss {history[0]:.4f} -> {history[-1]:.4f} ({seconds:.1f}s)")
    print(f"held-out next-frame MSE {mse:.4f}, repeat-the-frame baseline {still:.4f}")
    assert history[-1] < 0.8 * history[0], f"the loss did not fall: {history}"
    assert mse < 0.9 * still, f"no better than repeating the frame: {mse} vs {still}"
    print("OK: ConvLSTM2D predicts the next frame better than repeating the current one")


if __name__ == "__main__":
    main()
