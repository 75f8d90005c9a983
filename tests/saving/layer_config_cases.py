"""One case per exported layer class, written against a `layers` module so the same factory
builds the jkeras layer and the tf.keras one: name -> (factory(layers), inputs).

Arguments are non-default where that is meaningful, so configs carry real values. `inputs` is
the list of positional call arguments (float32 unless stated).
"""
import numpy as np


def _x(*shape, dtype="float32", seed=0):
    rng = np.random.default_rng(seed + len(shape))
    return rng.normal(size=shape).astype(dtype)


def _ints(*shape, high=10):
    return np.random.default_rng(1).integers(0, high, size=shape).astype("int32")


SEQ = _x(2, 5, 3)
IMG = _x(2, 6, 6, 3)
VOL = _x(2, 4, 4, 4, 2)

CASES = {
    "Dense": (lambda L: L.Dense(5, activation="tanh", use_bias=False,
                                kernel_initializer="he_normal"), [_x(2, 4)]),
    "Activation": (lambda L: L.Activation("softmax"), [_x(2, 4)]),
    "Flatten": (lambda L: L.Flatten(data_format="channels_first"), [_x(2, 3, 4)]),
    "Reshape": (lambda L: L.Reshape((4, 3)), [_x(2, 12)]),
    "Identity": (lambda L: L.Identity(), [_x(2, 4)]),
    "Add": (lambda L: L.Add(), [[_x(2, 4), _x(2, 4, seed=1)]]),
    "Subtract": (lambda L: L.Subtract(), [[_x(2, 4), _x(2, 4, seed=1)]]),
    "Multiply": (lambda L: L.Multiply(), [[_x(2, 4), _x(2, 4, seed=1)]]),
    "Average": (lambda L: L.Average(), [[_x(2, 4), _x(2, 4, seed=1)]]),
    "Maximum": (lambda L: L.Maximum(), [[_x(2, 4), _x(2, 4, seed=1)]]),
    "Minimum": (lambda L: L.Minimum(), [[_x(2, 4), _x(2, 4, seed=1)]]),
    "Concatenate": (lambda L: L.Concatenate(axis=1), [[_x(2, 4), _x(2, 3)]]),
    "Dot": (lambda L: L.Dot(axes=(1, 1), normalize=True), [[_x(2, 4), _x(2, 4, seed=1)]]),
    "Normalization": (lambda L: L.Normalization(axis=-1, mean=[0.5, -1.0, 2.0],
                                                variance=[4.0, 0.25, 1.0], invert=True),
                      [_x(2, 3)]),
    "BatchNormalization": (lambda L: L.BatchNormalization(momentum=0.9, epsilon=0.01,
                                                          center=False), [_x(2, 4)]),
    "LayerNormalization": (lambda L: L.LayerNormalization(axis=[1, 2], epsilon=1e-5,
                                                          scale=False), [SEQ]),
    "Dropout": (lambda L: L.Dropout(0.3, noise_shape=(None, 1), seed=3), [_x(2, 4)]),
    "SpatialDropout1D": (lambda L: L.SpatialDropout1D(0.2, seed=1), [SEQ]),
    "SpatialDropout2D": (lambda L: L.SpatialDropout2D(0.2, data_format="channels_first"),
                         [IMG]),
    "SpatialDropout3D": (lambda L: L.SpatialDropout3D(0.4), [VOL]),
    "GaussianNoise": (lambda L: L.GaussianNoise(0.2, seed=2), [_x(2, 4)]),
    "ReLU": (lambda L: L.ReLU(max_value=6.0, negative_slope=0.1, threshold=0.5), [_x(2, 4)]),
    "LeakyReLU": (lambda L: L.LeakyReLU(negative_slope=0.2), [_x(2, 4)]),
    "Softmax": (lambda L: L.Softmax(axis=1), [SEQ]),
    "ELU": (lambda L: L.ELU(alpha=0.5), [_x(2, 4)]),
    "Rescaling": (lambda L: L.Rescaling(scale=0.5, offset=-1.0), [_x(2, 4)]),
    "Conv1D": (lambda L: L.Conv1D(4, 3, strides=2, padding="same", activation="relu"), [SEQ]),
    "Conv2D": (lambda L: L.Conv2D(4, (2, 3), padding="same", dilation_rate=2,
                                  bias_initializer="ones"), [IMG]),
    "Conv3D": (lambda L: L.Conv3D(2, 2, strides=(1, 2, 1)), [VOL]),
    "Conv1DTranspose": (lambda L: L.Conv1DTranspose(2, 3, strides=2, padding="same"), [SEQ]),
    "Conv2DTranspose": (lambda L: L.Conv2DTranspose(3, 3, strides=2, output_padding=1),
                        [IMG]),
    "Conv3DTranspose": (lambda L: L.Conv3DTranspose(2, 2, use_bias=False), [VOL]),
    "DepthwiseConv1D": (lambda L: L.DepthwiseConv1D(2, depth_multiplier=2), [SEQ]),
    "DepthwiseConv2D": (lambda L: L.DepthwiseConv2D(3, padding="same", depth_multiplier=2,
                                                    activation="sigmoid"), [IMG]),
    "SeparableConv1D": (lambda L: L.SeparableConv1D(4, 3, padding="same", strides=2), [SEQ]),
    "SeparableConv2D": (lambda L: L.SeparableConv2D(4, 3, depth_multiplier=2,
                                                    pointwise_initializer="zeros"), [IMG]),
    "MaxPooling1D": (lambda L: L.MaxPooling1D(3, strides=1, padding="same"), [SEQ]),
    "MaxPooling2D": (lambda L: L.MaxPooling2D((2, 3), strides=(1, 2)), [IMG]),
    "MaxPooling3D": (lambda L: L.MaxPooling3D(2), [VOL]),
    "AveragePooling1D": (lambda L: L.AveragePooling1D(2, padding="same"), [SEQ]),
    "AveragePooling2D": (lambda L: L.AveragePooling2D(3, strides=1), [IMG]),
    "AveragePooling3D": (lambda L: L.AveragePooling3D((2, 2, 1)), [VOL]),
    "GlobalAveragePooling1D": (lambda L: L.GlobalAveragePooling1D(keepdims=True), [SEQ]),
    "GlobalAveragePooling2D": (lambda L: L.GlobalAveragePooling2D(
        data_format="channels_first"), [IMG]),
    "GlobalAveragePooling3D": (lambda L: L.GlobalAveragePooling3D(), [VOL]),
    "GlobalMaxPooling1D": (lambda L: L.GlobalMaxPooling1D(), [SEQ]),
    "GlobalMaxPooling2D": (lambda L: L.GlobalMaxPooling2D(keepdims=True), [IMG]),
    "GlobalMaxPooling3D": (lambda L: L.GlobalMaxPooling3D(), [VOL]),
    "Permute": (lambda L: L.Permute((2, 1)), [SEQ]),
    "RepeatVector": (lambda L: L.RepeatVector(3), [_x(2, 4)]),
    "UpSampling1D": (lambda L: L.UpSampling1D(3), [SEQ]),
    "UpSampling2D": (lambda L: L.UpSampling2D((2, 3), interpolation="bilinear"), [IMG]),
    "ZeroPadding1D": (lambda L: L.ZeroPadding1D((1, 2)), [SEQ]),
    "ZeroPadding2D": (lambda L: L.ZeroPadding2D(((1, 0), (2, 1))), [IMG]),
    "Cropping1D": (lambda L: L.Cropping1D((1, 0)), [SEQ]),
    "Cropping2D": (lambda L: L.Cropping2D(((1, 0), (0, 2))), [IMG]),
    "Embedding": (lambda L: L.Embedding(10, 4, mask_zero=True,
                                        embeddings_initializer="glorot_uniform"),
                  [_ints(2, 5)]),
    "SimpleRNN": (lambda L: L.SimpleRNN(4, return_sequences=True, go_backwards=True,
                                        activation="relu"), [SEQ]),
    "LSTM": (lambda L: L.LSTM(4, unit_forget_bias=False, recurrent_activation="hard_sigmoid",
                              dropout=0.1), [SEQ]),
    "GRU": (lambda L: L.GRU(4, reset_after=False, return_sequences=True,
                            recurrent_initializer="glorot_uniform"), [SEQ]),
    "RNN": (lambda L: L.RNN(L.LSTMCell(3), return_sequences=True), [SEQ]),
    "SimpleRNNCell": (lambda L: L.SimpleRNNCell(3, use_bias=False), [_x(2, 3), [_x(2, 3)]]),
    "LSTMCell": (lambda L: L.LSTMCell(3, recurrent_dropout=0.2),
                 [_x(2, 3), [_x(2, 3), _x(2, 3, seed=4)]]),
    "GRUCell": (lambda L: L.GRUCell(3, reset_after=False), [_x(2, 3), [_x(2, 3)]]),
    "Bidirectional": (lambda L: L.Bidirectional(L.LSTM(3, return_sequences=True),
                                                merge_mode="sum"), [SEQ]),
    "MultiHeadAttention": (lambda L: L.MultiHeadAttention(2, 4, value_dim=3, output_shape=5,
                                                          kernel_initializer="he_uniform"),
                           [_x(2, 5, 6), _x(2, 4, 6, seed=2)]),
    "TimeDistributed": (lambda L: L.TimeDistributed(L.Dense(3, activation="relu")), [SEQ]),
    "Masking": (lambda L: L.Masking(mask_value=1.5), [SEQ]),
    "PReLU": (lambda L: L.PReLU(alpha_initializer="ones", shared_axes=[1]), [SEQ]),
    "GaussianDropout": (lambda L: L.GaussianDropout(0.2, seed=4), [_x(2, 4)]),
    "AlphaDropout": (lambda L: L.AlphaDropout(0.1, seed=1), [_x(2, 4)]),
}

# More argument variants, compared as configs only (no call): standardized forms (ints that
# become tuples, axis None, arrays) and nested layers.
CONFIG_ONLY = {
    "Normalization_axis_none": lambda L: L.Normalization(axis=None),
    "Normalization_axes": lambda L: L.Normalization(axis=(1, 2)),
    "Normalization_scalar_stats": lambda L: L.Normalization(mean=2.0, variance=4.0),
    "MultiHeadAttention_axes": lambda L: L.MultiHeadAttention(2, 4, attention_axes=1,
                                                              dropout=0.1, use_bias=False),
    "MultiHeadAttention_output": lambda L: L.MultiHeadAttention(2, 4, output_shape=(3, 2)),
    "Softmax_axes": lambda L: L.Softmax(axis=(1, 2)),
    "Rescaling_arrays": lambda L: L.Rescaling(scale=np.array([1.0, 2.0], "float32"),
                                              offset=np.float32(0.5)),
    "Reshape_minus_one": lambda L: L.Reshape((-1, 2)),
    "Dense_float64": lambda L: L.Dense(2, dtype="float64", activation="leaky_relu"),
    "ZeroPadding2D_int": lambda L: L.ZeroPadding2D(2),
    "Cropping2D_int": lambda L: L.Cropping2D(1),
    "UpSampling2D_int": lambda L: L.UpSampling2D(2),
    "Bidirectional_backward_layer": lambda L: L.Bidirectional(
        L.GRU(3, return_sequences=True),
        backward_layer=L.GRU(3, return_sequences=True, go_backwards=True), merge_mode=None),
    "RNN_GRUCell": lambda L: L.RNN(L.GRUCell(2), go_backwards=True, return_state=True),
    "Conv1D_causal_channels_first": lambda L: L.Conv1D(4, 3, padding="causal",
                                                       data_format="channels_first"),
    "Conv2D_groups": lambda L: L.Conv2D(4, 3, groups=2, strides=(2, 1)),
    "BatchNormalization_axis": lambda L: L.BatchNormalization(axis=1, scale=False),
    "MaxPooling2D_channels_first": lambda L: L.MaxPooling2D(
        pool_size=3, strides=2, padding="same", data_format="channels_first"),
    "LSTM_all": lambda L: L.LSTM(3, return_state=True, go_backwards=True, unroll=True,
                                 recurrent_dropout=0.1, seed=5, use_bias=False),
    "Activation_swish": lambda L: L.Activation("swish"),
    "LayerNormalization_axes": lambda L: L.LayerNormalization(axis=(-2, -1), center=False),
    "SeparableConv2D_channels_first": lambda L: L.SeparableConv2D(
        2, 3, data_format="channels_first", activation="relu6"),
    "Conv2DTranspose_output_padding": lambda L: L.Conv2DTranspose(
        2, 3, strides=(2, 1), padding="same", output_padding=(1, 0)),
}

# InputLayer and Lambda have their own tests (no call / a function argument).
SEPARATE = ("InputLayer", "Lambda")


# Preprocessing layers. A standalone call of a random image layer trains (as Keras), so these
# cases pick factors or inputs whose output does not depend on the draw.
_PIX = (np.abs(_x(2, 6, 6, 3)) * 60).astype("float32")
_MIRRORED = _PIX + _PIX[:, :, ::-1]             # unchanged by a horizontal flip
_GRAY = np.repeat(_PIX[..., :1], 3, axis=-1)    # unchanged by a hue shift
_FLAT = np.ones((2, 6, 6, 3), "float32") * np.float32([10, 100, 200])  # unchanged by contrast
_SAME = np.repeat(_PIX[:1], 2, axis=0)          # unchanged by mixing within the batch
_WORDS = np.array([["cat", "dog", "bird"], ["fish", "cat", ""]])
CASES.update({
    "Resizing": (lambda L: L.Resizing(4, 5, interpolation="nearest", pad_to_aspect_ratio=True,
                                      fill_value=1.0), [_PIX]),
    "CenterCrop": (lambda L: L.CenterCrop(4, 3), [_PIX]),
    "RandomCrop": (lambda L: L.RandomCrop(6, 6, seed=3), [_PIX]),
    "RandomFlip": (lambda L: L.RandomFlip("horizontal", seed=1), [_MIRRORED]),
    "RandomRotation": (lambda L: L.RandomRotation((0.1, 0.1), fill_mode="constant",
                                                  fill_value=2.0), [_PIX]),
    "RandomZoom": (lambda L: L.RandomZoom((0.2, 0.2), (-0.1, -0.1), fill_mode="nearest"),
                   [_PIX]),
    "RandomTranslation": (lambda L: L.RandomTranslation((0.1, 0.1), (-0.2, -0.2),
                                                        interpolation="nearest"), [_PIX]),
    "RandomShear": (lambda L: L.RandomShear(x_factor=(0.0, 0.0), fill_mode="wrap"), [_PIX]),
    "RandomPerspective": (lambda L: L.RandomPerspective(factor=(0.0, 0.0), scale=0.5), [_PIX]),
    "RandomContrast": (lambda L: L.RandomContrast(0.4, value_range=(0, 255)), [_FLAT]),
    "RandomBrightness": (lambda L: L.RandomBrightness((0.1, 0.1)), [_PIX]),
    "RandomGrayscale": (lambda L: L.RandomGrayscale(1.0), [_PIX]),
    "RandomHue": (lambda L: L.RandomHue(0.3), [_GRAY]),
    "RandomSaturation": (lambda L: L.RandomSaturation((0.3, 0.3)), [_PIX]),
    "RandomColorDegeneration": (lambda L: L.RandomColorDegeneration((0.4, 0.4)), [_PIX]),
    "RandomColorJitter": (lambda L: L.RandomColorJitter(brightness_factor=(0.1, 0.1)), [_PIX]),
    "RandomInvert": (lambda L: L.RandomInvert((1.0, 1.0)), [_PIX]),
    "RandomPosterization": (lambda L: L.RandomPosterization((3, 3)), [_PIX]),
    "Solarization": (lambda L: L.Solarization(threshold_factor=(0.0, 0.0)), [_PIX]),
    "RandomSharpness": (lambda L: L.RandomSharpness((0.3, 0.3)), [_PIX]),
    "RandomGaussianBlur": (lambda L: L.RandomGaussianBlur((1.0, 1.0), sigma=(0.5, 0.5)),
                           [_PIX]),
    "RandomErasing": (lambda L: L.RandomErasing((0.0, 0.0), scale=0.2), [_PIX]),
    "AutoContrast": (lambda L: L.AutoContrast(value_range=(0, 255)), [_PIX]),
    "Equalization": (lambda L: L.Equalization(bins=64), [_PIX]),
    "MixUp": (lambda L: L.MixUp(alpha=0.4), [_SAME]),
    "CutMix": (lambda L: L.CutMix(0.5), [_SAME]),
    "CategoryEncoding": (lambda L: L.CategoryEncoding(10, output_mode="count"), [_ints(2, 4)]),
    "Discretization": (lambda L: L.Discretization([-0.5, 0.0, 0.5], output_mode="one_hot"),
                       [_x(2, 3)[0]]),
    "StringLookup": (lambda L: L.StringLookup(vocabulary=["cat", "dog"], mask_token="",
                                              num_oov_indices=2), [_WORDS]),
    "IntegerLookup": (lambda L: L.IntegerLookup(vocabulary=[3, 5, 7], output_mode="multi_hot"),
                      [_ints(2, 4)]),
    "Hashing": (lambda L: L.Hashing(5, salt=3), [_WORDS]),
    "HashedCrossing": (lambda L: L.HashedCrossing(7), [[_ints(3), _WORDS[0]]]),
    "TextVectorization": (lambda L: L.TextVectorization(vocabulary=["the", "cat"],
                                                        output_sequence_length=4),
                          [np.array(["The cat sat", "a cat, the cat!"])]),
})
CASES.update({
    "Attention": (lambda L: L.Attention(use_scale=True, score_mode="concat", dropout=0.1, seed=2),
                  [[SEQ, _x(2, 4, 3)]]),
    "AdditiveAttention": (lambda L: L.AdditiveAttention(use_scale=False),
                          [[SEQ, _x(2, 4, 3), _x(2, 4, 3, seed=1)]]),
})

CASES.update({
    "GroupNormalization": (lambda L: L.GroupNormalization(groups=3, epsilon=0.01, scale=False),
                           [SEQ]),
    "UnitNormalization": (lambda L: L.UnitNormalization(axis=(1, 2)), [SEQ]),
    "RMSNormalization": (lambda L: L.RMSNormalization(epsilon=1e-4), [SEQ]),
})

CASES.update({
    "EinsumDense": (lambda L: L.EinsumDense("abc,cde->abde", (5, 2, 4), bias_axes="de",
                                            activation="tanh"), [SEQ]),
})

CASES.update({
    "UpSampling3D": (lambda L: L.UpSampling3D((1, 2, 2)), [VOL]),
    "ZeroPadding3D": (lambda L: L.ZeroPadding3D(((1, 0), (0, 1), (2, 2))), [VOL]),
    "Cropping3D": (lambda L: L.Cropping3D(((1, 0), (0, 1), (1, 1))), [VOL]),
})

CASES.update({
    "GroupQueryAttention": (lambda L: L.GroupQueryAttention(2, 4, 2, use_gate=True,
                                                            sliding_window=3, seed=1),
                            [_x(2, 5, 6), _x(2, 4, 6, seed=2)]),
})

CASES.update({
    "RNN_StackedRNNCells": (lambda L: L.RNN(L.StackedRNNCells([L.LSTMCell(3), L.GRUCell(2)]),
                                            return_sequences=True), [SEQ]),
    "StackedRNNCells": (lambda L: L.StackedRNNCells([L.SimpleRNNCell(3), L.GRUCell(2)]),
                        [_x(2, 3), [_x(2, 3), _x(2, 2)]]),
})

CASES.update({
    "AdaptiveAveragePooling1D": (lambda L: L.AdaptiveAveragePooling1D(2), [SEQ]),
    "AdaptiveAveragePooling2D": (lambda L: L.AdaptiveAveragePooling2D((4, 3)), [IMG]),
    "AdaptiveAveragePooling3D": (lambda L: L.AdaptiveAveragePooling3D(3), [VOL]),
    "AdaptiveMaxPooling1D": (lambda L: L.AdaptiveMaxPooling1D(3), [SEQ]),
    "AdaptiveMaxPooling2D": (lambda L: L.AdaptiveMaxPooling2D(4), [IMG]),
    "AdaptiveMaxPooling3D": (lambda L: L.AdaptiveMaxPooling3D((2, 3, 3)), [VOL]),
})

CASES.update({
    "ConvLSTM1D": (lambda L: L.ConvLSTM1D(2, 3, padding="same", return_sequences=True,
                                          recurrent_dropout=0.1), [_x(2, 3, 5, 2)]),
    "ConvLSTM2D": (lambda L: L.ConvLSTM2D(3, 2, strides=2, activation="relu",
                                          return_state=True), [_x(2, 2, 5, 5, 2)]),
    "ConvLSTM3D": (lambda L: L.ConvLSTM3D(2, 2, go_backwards=True, unit_forget_bias=False),
                   [_x(1, 2, 3, 3, 3, 1)]),
})

# Regularizers and constraints (their configs are Keras's serialized objects).
CASES.update({
    "ActivityRegularization": (lambda L: L.ActivityRegularization(l1=0.01, l2=0.02), [_x(2, 4)]),
    "DenseRegularized": (lambda L: L.Dense(
        3, kernel_regularizer="l1",
        activity_regularizer="l2", kernel_constraint="max_norm", bias_constraint="non_neg"),
        [_x(2, 4)]),
})
