"""ResNet50/101/152 (`keras.applications.resnet`) and the builder ResNetV2 shares."""
from jkeras import layers
from jkeras.applications import common

URL = common.WEIGHTS_BASE + "resnet/"
HASHES = {
    "resnet50": ("2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
    "resnet101": ("f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"),
    "resnet152": ("100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"),
    "resnet50v2": ("3ef43a0b657b3be2300d5770ece849e0", "fac2f116257151a9d068a22e544a4917"),
    "resnet101v2": ("6343647c601c52e1368623803854d971", "c0ed64b8031c3730f411d2eb4eea35b5"),
    "resnet152v2": ("a49b44d1979771252814e80f8ec446f9", "ed17cf2e0169df9d443503ef94b23b33"),
}
EPS = 1.001e-5


def imagenet_file(weights_name, include_top):
    suffix = "" if include_top else "_notop"
    return (f"{weights_name}_weights_tf_dim_ordering_tf_kernels{suffix}.h5", URL,
            HASHES[weights_name][0 if include_top else 1])


def build_resnet(stack_fn, preact, use_bias, weights_name, include_top, weights, input_tensor,
                 input_shape, pooling, classes, classifier_activation, name):
    img_input = common.checked_input(input_tensor, input_shape, include_top, weights, classes)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=use_bias, name="conv1_conv")(x)
    if not preact:
        x = layers.BatchNormalization(axis=3, epsilon=EPS, name="conv1_bn")(x)
        x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    x = stack_fn(x)
    if preact:
        x = layers.BatchNormalization(axis=3, epsilon=EPS, name="post_bn")(x)
        x = layers.Activation("relu", name="post_relu")(x)
    x = common.avg_pool_head(x, include_top, pooling, classes, classifier_activation, weights)
    return common.make_model(img_input, input_tensor, x, name, weights,
                             imagenet_file(weights_name, include_top))


def residual_block_v1(x, filters, kernel_size=3, stride=1, conv_shortcut=True, name=None):
    """Bottleneck block of ResNet v1: 1x1, kxk, 1x1 (x4) with BatchNorm, plus the shortcut."""
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(x)
        shortcut = layers.BatchNormalization(axis=3, epsilon=EPS, name=f"{name}_0_bn")(shortcut)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=f"{name}_1_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=EPS, name=f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.Conv2D(filters, kernel_size, padding="same", name=f"{name}_2_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=EPS, name=f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=EPS, name=f"{name}_3_bn")(x)
    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def stack_residual_blocks_v1(x, filters, blocks, stride1=2, name=None):
    x = residual_block_v1(x, filters, stride=stride1, name=f"{name}_block1")
    for i in range(2, blocks + 1):
        x = residual_block_v1(x, filters, conv_shortcut=False, name=f"{name}_block{i}")
    return x


def residual_block_v2(x, filters, kernel_size=3, stride=1, conv_shortcut=False, name=None):
    """Pre-activation bottleneck block of ResNet v2."""
    preact = layers.BatchNormalization(axis=3, epsilon=EPS, name=f"{name}_preact_bn")(x)
    preact = layers.Activation("relu", name=f"{name}_preact_relu")(preact)
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(preact)
    else:
        shortcut = layers.MaxPooling2D(1, strides=stride)(x) if stride > 1 else x
    x = layers.Conv2D(filters, 1, strides=1, use_bias=False, name=f"{name}_1_conv")(preact)
    x = layers.BatchNormalization(axis=3, epsilon=EPS, name=f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name=f"{name}_2_pad")(x)
    x = layers.Conv2D(filters, kernel_size, strides=stride, use_bias=False,
                      name=f"{name}_2_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=EPS, name=f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    return layers.Add(name=f"{name}_out")([shortcut, x])


def stack_residual_blocks_v2(x, filters, blocks, stride1=2, name=None):
    x = residual_block_v2(x, filters, conv_shortcut=True, name=f"{name}_block1")
    for i in range(2, blocks):
        x = residual_block_v2(x, filters, name=f"{name}_block{i}")
    return residual_block_v2(x, filters, stride=stride1, name=f"{name}_block{blocks}")


def stacks(stack, depths, strides):
    """The four stages conv2..conv5 (64, 128, 256, 512 filters) of a ResNet."""
    def stack_fn(x):
        for i, (filters, n, stride) in enumerate(zip((64, 128, 256, 512), depths, strides)):
            x = stack(x, filters, n, stride1=stride, name=f"conv{i + 2}")
        return x
    return stack_fn


def variant(stack, depths, strides, preact, weights_name, mode, paper):
    """A public ResNet constructor with Keras's signature (name defaults to `weights_name`)."""
    def build(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
              pooling=None, classes=1000, classifier_activation="softmax", name=weights_name):
        return build_resnet(stacks(stack, depths, strides), preact, True, weights_name,
                            include_top, weights, input_tensor, input_shape, pooling, classes,
                            classifier_activation, name)
    label = weights_name.replace("resnet", "ResNet").replace("v2", "V2")
    build.__name__ = build.__qualname__ = label
    build.__doc__ = (f"{label} ({paper}) with Keras's layer names and weight order; inputs as "
                     f"its module's `preprocess_input` ({mode} mode).")
    return build


ResNet50 = variant(stack_residual_blocks_v1, (3, 4, 6, 3), (1, 2, 2, 2), False, "resnet50",
                   "caffe", "He et al., 2015")
ResNet101 = variant(stack_residual_blocks_v1, (3, 4, 23, 3), (1, 2, 2, 2), False, "resnet101",
                    "caffe", "He et al., 2015")
ResNet152 = variant(stack_residual_blocks_v1, (3, 8, 36, 3), (1, 2, 2, 2), False, "resnet152",
                    "caffe", "He et al., 2015")


preprocess_input, decode_predictions = common.family_functions("caffe")
