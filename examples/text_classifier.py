"""Sentiment of short movie reviews: TextVectorization on the host, Embedding on the device.

As in Keras 3 on JAX, the string layer runs outside the compiled step: `vectorize.adapt` learns
the vocabulary from the training texts, `vectorize(texts)` turns strings into padded token ids
(NumPy), and the model (Embedding -> GlobalAveragePooling1D -> Dense) trains on those ids. The
reviews are written here (no downloads): templates filled with positive or negative words.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # run from a checkout

import numpy as np

import jkeras
from jkeras import layers

POSITIVE = ["great", "wonderful", "loved", "excellent", "fun", "moving", "brilliant", "charming"]
NEGATIVE = ["terrible", "boring", "hated", "awful", "dull", "clumsy", "tedious", "pointless"]
SUBJECTS = ["The film", "This movie", "The plot", "The acting", "The ending", "Its soundtrack"]
TEMPLATES = ["{s} was {w}.", "{s} was {w}, really {w2}!", "I found it {w} and {w2}.",
             "Honestly: {w}. {s} felt {w2}.", "{s}? {w}, {w2}, {w}!"]


def reviews(n, seed):
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for _ in range(n):
        label = int(rng.integers(2))
        words = POSITIVE if label else NEGATIVE
        template = TEMPLATES[rng.integers(len(TEMPLATES))]
        texts.append(template.format(s=SUBJECTS[rng.integers(len(SUBJECTS))],
                                     w=words[rng.integers(len(words))],
                                     w2=words[rng.integers(len(words))]))
        labels.append(label)
    return np.array(texts), np.array(labels, "float32")


def main():
    jkeras.utils.set_random_seed(0)
    train_texts, y_train = reviews(400, seed=1)
    test_texts, y_test = reviews(100, seed=2)

    vectorize = layers.TextVectorization(max_tokens=60, output_sequence_length=10)
    vectorize.adapt(train_texts)
    print("vocabulary:", vectorize.vocabulary_size(), "tokens; first:",
          vectorize.get_vocabulary()[:6])
    x_train, x_test = vectorize(train_texts), vectorize(test_texts)
    print("example:", repr(str(train_texts[0])), "->", x_train[0].tolist())

    model = jkeras.Sequential([
        jkeras.Input(shape=(10,), dtype="int32"),
        layers.Embedding(vectorize.vocabulary_size(), 16),
        layers.GlobalAveragePooling1D(),
        layers.Dense(16, activation="relu"),
        layers.Dense(1, activation="sigmoid"),
    ])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=32, epochs=25, verbose=0)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"test loss: {loss:.4f}")
    print(f"test accuracy: {accuracy:.4f}")
    new = np.array(["The film was brilliant and moving!", "The plot was tedious, really dull."])
    scores = model.predict(vectorize(new), verbose=0)[:, 0]
    for text, score in zip(new, scores):
        print(f"{score:.3f}  {text}")
    assert accuracy >= 0.95, f"test accuracy {accuracy:.4f} is below 0.95"
    assert scores[0] > 0.5 > scores[1]


if __name__ == "__main__":
    main()
