"""`keras.device(device_name)`: run eager ops and create arrays on one device, as Keras 3 on
JAX (`jax.default_device`). Names as Keras: `"cpu"`, `"cpu:0"`, `"gpu:1"`, or a `jax.Device`."""
import jax


def _to_device(device_name):
    if ":" in device_name:
        device_type, device_id = device_name.split(":", 1)
    else:
        device_type, device_id = device_name, "0"
    try:
        index = int(device_id)
    except ValueError:
        raise ValueError(f"Invalid value for argument `device_name`. Expected a string like "
                         f"'gpu:0' or a `jax.Device` instance. Received: "
                         f"device_name='{device_name}'") from None
    try:
        devices = jax.devices(backend=device_type)
    except RuntimeError:
        devices = []  # JAX has no backend of that type on this machine
    for device in devices:
        if device.platform == device_type and device.id == index:
            return device
    here = [f"{d.platform}:{d.id}" for d in jax.devices()]
    raise ValueError(f"Device not found: {device_name}. Devices here: {here}")


def device(device_name):
    """Context manager for device placement: `with keras.device("cpu:0"): ...`."""
    if isinstance(device_name, str):
        return jax.default_device(_to_device(device_name.lower()))
    if isinstance(device_name, jax.Device):
        return jax.default_device(device_name)
    raise ValueError("Invalid value for argument `device_name`. Expected a string like "
                     "'gpu:0' or a `jax.Device` instance. "
                     f"Received: device_name='{device_name}'")
