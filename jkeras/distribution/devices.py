"""Devices and processes: Keras 3's `list_devices`, `get_device_count` and `initialize`, on JAX.

Devices are named as in Keras ("cpu:0", "gpu:1"); `jax.Device` objects are accepted wherever a
device is expected. With several processes (`initialize`), the lists are global.
"""
import os

import jax
import numpy as np
from jax.experimental import multihost_utils

from jkeras.core import random as random_lib


def _default_type():
    return jax.default_backend()


def _devices_of(device_type):
    if device_type is None:
        return jax.devices()
    if not isinstance(device_type, str):
        raise TypeError("`device_type` must be a string such as 'cpu', 'gpu' or 'tpu', or None. "
                        f"Received: device_type={device_type!r}")
    try:
        return jax.devices(device_type.lower())
    except RuntimeError as err:
        raise ValueError(f"No devices of type {device_type!r} are available "
                         f"(the default devices are {device_name(jax.devices()[0])!r}, ...). "
                         f"JAX says: {err}") from None


def device_name(device):
    return f"{device.platform}:{device.id}"


def list_devices(device_type=None):
    """All devices of `device_type` ("cpu", "gpu", "tpu"; default: the default backend's), as
    "type:id" strings. In a multi-process setting, the global devices."""
    return [device_name(d) for d in _devices_of(device_type)]


def get_device_count(device_type=None):
    """The number of devices `list_devices(device_type)` returns."""
    return len(_devices_of(device_type))


def to_jax_device(device):
    """A `jax.Device` from a `jax.Device` or a "type:id" string (as `list_devices` gives)."""
    if isinstance(device, jax.Device):
        return device
    if not isinstance(device, str):
        raise TypeError("Expected each device to be a `jax.Device` or a string 'type:id' as "
                        "returned by `jkeras.distribution.list_devices()` (e.g. 'cpu:0'). "
                        f"Received: {device!r} of type {type(device).__name__}")
    kind, sep, index = device.partition(":")
    if not sep or not index.strip().isdigit():
        raise ValueError(f"Expected a device string of the form 'type:id' such as 'cpu:0' or "
                         f"'gpu:1'. Received: {device!r}")
    candidates = _devices_of(kind.strip())
    for d in candidates:
        if d.id == int(index):
            return d
    raise ValueError(f"Device {device!r} does not exist. Available {kind.strip()} devices: "
                     f"{[device_name(d) for d in candidates]}")


def initialize(job_addresses=None, num_processes=None, process_id=None, *,
               initialization_timeout=300, heartbeat_timeout_seconds=100,
               shutdown_timeout_seconds=300):
    """Start multi-process (multi-host) JAX: `jax.distributed.initialize`. Call it first, in every
    process, before anything else touches JAX.

    As Keras: `job_addresses` is a comma separated list whose first entry ("host:port") is the
    coordinator (process 0); the arguments may also come from the environment variables
    KERAS_DISTRIBUTION_JOB_ADDRESSES, KERAS_DISTRIBUTION_NUM_PROCESSES and
    KERAS_DISTRIBUTION_PROCESS_ID. Left as None, JAX detects them itself where it can
    (Cloud TPU, SLURM, Open MPI). As Keras, when no seed was set every process then draws its
    random numbers from the same seed (process 0's), so their models start from equal weights.

    The keyword-only timeouts (seconds; JAX's defaults) bound every wait: all processes must
    connect within `initialization_timeout`; a process that dies (stops sending heartbeats for
    `heartbeat_timeout_seconds`, or closes its connection) makes every other process stop with
    JAX's error "Terminating process because the JAX distributed service detected fatal errors"
    instead of waiting forever in a collective; at exit each process waits at most
    `shutdown_timeout_seconds` for the others.
    """
    env = os.environ
    if job_addresses is None and "KERAS_DISTRIBUTION_JOB_ADDRESSES" in env:
        job_addresses = env["KERAS_DISTRIBUTION_JOB_ADDRESSES"]
    if num_processes is None and "KERAS_DISTRIBUTION_NUM_PROCESSES" in env:
        num_processes = int(env["KERAS_DISTRIBUTION_NUM_PROCESSES"])
    if process_id is None and "KERAS_DISTRIBUTION_PROCESS_ID" in env:
        process_id = int(env["KERAS_DISTRIBUTION_PROCESS_ID"])
    addresses = [a.strip() for a in job_addresses.split(",")] if job_addresses else []
    if len(addresses) > 1 and num_processes is not None and num_processes != len(addresses):
        raise ValueError(f"The provided job_addresses {addresses} has {len(addresses)} jobs, "
                         f"but num_processes is {num_processes}")
    timeouts = dict(initialization_timeout=initialization_timeout,
                    heartbeat_timeout_seconds=heartbeat_timeout_seconds,
                    shutdown_timeout_seconds=shutdown_timeout_seconds)
    for name, value in timeouts.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"`{name}` must be a positive integer number of seconds. "
                             f"Received: {name}={value!r}")
    jax.distributed.initialize(coordinator_address=addresses[0] if addresses else None,
                               num_processes=num_processes, process_id=process_id, **timeouts)
    if jax.process_count() > 1 and random_lib.get_random_seed() is None:
        # Keras's initialize_rng: one seed for all processes (here: process 0's).
        seed = np.int32(np.random.SeedSequence().entropy % (2 ** 31))
        random_lib.set_random_seed(int(multihost_utils.broadcast_one_to_all(seed)))
