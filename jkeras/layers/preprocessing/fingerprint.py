"""TensorFlow's string hashes in pure Python, so hashing layers give Keras's exact bins without TF.

- `fingerprint64(b)`: FarmHash's Fingerprint64 (farmhashna::Hash64), what
  `tf.strings.to_hash_bucket_fast` and `tf.sparse.cross_hashed` use.
- `siphash(key, b)`: SipHash-2-4 with a 128-bit key given as two uint64, what
  `tf.strings.to_hash_bucket_strong` uses.
- `fingerprint_cat64(a, b)`: TF's FingerprintCat64, combining hashes of crossed features.
Host-side code: the layers hash each distinct value once.
"""
import struct

_M = (1 << 64) - 1
_K0, _K1, _K2 = 0xc3a5c85c97cb3127, 0xb492b66fbe98f273, 0x9ae16a3b2f90404f


def _f64(s, i):
    return struct.unpack_from("<Q", s, i)[0]


def _f32(s, i):
    return struct.unpack_from("<I", s, i)[0]


def _rot(v, shift):
    return v if shift == 0 else ((v >> shift) | (v << (64 - shift))) & _M


def _shift_mix(v):
    return v ^ (v >> 47)


def _hash_len16(u, v, mul):
    a = ((u ^ v) * mul) & _M
    a ^= a >> 47
    b = ((v ^ a) * mul) & _M
    b ^= b >> 47
    return (b * mul) & _M


def _len_0_to_16(s):
    n = len(s)
    if n >= 8:
        mul = _K2 + n * 2
        a = (_f64(s, 0) + _K2) & _M
        b = _f64(s, n - 8)
        c = (_rot(b, 37) * mul + a) & _M
        d = ((_rot(a, 25) + b) * mul) & _M
        return _hash_len16(c, d, mul)
    if n >= 4:
        mul = _K2 + n * 2
        return _hash_len16((n + (_f32(s, 0) << 3)) & _M, _f32(s, n - 4), mul)
    if n > 0:
        y = (s[0] + (s[n >> 1] << 8)) & 0xFFFFFFFF
        z = (n + (s[n - 1] << 2)) & 0xFFFFFFFF
        return (_shift_mix(((y * _K2) ^ (z * _K0)) & _M) * _K2) & _M
    return _K2


def _mix_first_32(s, mul, ka):
    """The 17..64-byte mix: (a, y, z-input) from the first and last 16 bytes."""
    n = len(s)
    a = (_f64(s, 0) * ka) & _M
    b = _f64(s, 8)
    c = (_f64(s, n - 8) * mul) & _M
    d = (_f64(s, n - 16) * _K2) & _M
    y = (_rot((a + b) & _M, 43) + _rot(c, 30) + d) & _M
    return a, y, (a + _rot((b + _K2) & _M, 18) + c) & _M


def _len_17_to_32(s):
    mul = _K2 + len(s) * 2
    _, y, second = _mix_first_32(s, mul, _K1)
    return _hash_len16(y, second, mul)


def _len_33_to_64(s):
    n = len(s)
    mul = _K2 + n * 2
    a, y, second = _mix_first_32(s, mul, _K2)
    z = _hash_len16(y, second, mul)
    e = (_f64(s, 16) * mul) & _M
    f = _f64(s, 24)
    g = ((y + _f64(s, n - 32)) * mul) & _M
    h = ((z + _f64(s, n - 24)) * mul) & _M
    return _hash_len16((_rot((e + f) & _M, 43) + _rot(g, 30) + h) & _M,
                       (e + _rot((f + a) & _M, 18) + g) & _M, mul)


def _weak_32_with_seeds(s, i, a, b):
    w, x, y, z = _f64(s, i), _f64(s, i + 8), _f64(s, i + 16), _f64(s, i + 24)
    a = (a + w) & _M
    b = _rot((b + a + z) & _M, 21)
    c = a
    a = (a + x + y) & _M
    b = (b + _rot(a, 44)) & _M
    return (a + z) & _M, (b + c) & _M


def fingerprint64(s):
    """FarmHash Fingerprint64 of bytes `s` (an unsigned 64-bit int)."""
    n = len(s)
    if n <= 16:
        return _len_0_to_16(s)
    if n <= 32:
        return _len_17_to_32(s)
    if n <= 64:
        return _len_33_to_64(s)
    seed = 81
    x = seed
    y = (seed * _K1 + 113) & _M
    z = (_shift_mix((y * _K2 + 113) & _M) * _K2) & _M
    v = w = (0, 0)
    x = (x * _K2 + _f64(s, 0)) & _M
    end = ((n - 1) // 64) * 64
    last64 = n - 64
    i = 0
    while True:
        x = (_rot((x + y + v[0] + _f64(s, i + 8)) & _M, 37) * _K1) & _M
        y = (_rot((y + v[1] + _f64(s, i + 48)) & _M, 42) * _K1) & _M
        x ^= w[1]
        y = (y + v[0] + _f64(s, i + 40)) & _M
        z = (_rot((z + w[0]) & _M, 33) * _K1) & _M
        v = _weak_32_with_seeds(s, i, (v[1] * _K1) & _M, (x + w[0]) & _M)
        w = _weak_32_with_seeds(s, i + 32, (z + w[1]) & _M, (y + _f64(s, i + 16)) & _M)
        z, x = x, z
        i += 64
        if i == end:
            break
    mul = _K1 + ((z & 0xff) << 1)
    i = last64
    w = ((w[0] + ((n - 1) & 63)) & _M, w[1])
    v = ((v[0] + w[0]) & _M, v[1])
    w = ((w[0] + v[0]) & _M, w[1])
    x = (_rot((x + y + v[0] + _f64(s, i + 8)) & _M, 37) * mul) & _M
    y = (_rot((y + v[1] + _f64(s, i + 48)) & _M, 42) * mul) & _M
    x ^= (w[1] * 9) & _M
    y = (y + v[0] * 9 + _f64(s, i + 40)) & _M
    z = (_rot((z + w[0]) & _M, 33) * mul) & _M
    v = _weak_32_with_seeds(s, i, (v[1] * mul) & _M, (x + w[0]) & _M)
    w = _weak_32_with_seeds(s, i + 32, (z + w[1]) & _M, (y + _f64(s, i + 16)) & _M)
    z, x = x, z
    return _hash_len16((_hash_len16(v[0], w[0], mul) + _shift_mix(y) * _K0 + z) & _M,
                       (_hash_len16(v[1], w[1], mul) + x) & _M, mul)


def _sip_round(v0, v1, v2, v3):
    v0 = (v0 + v1) & _M
    v1 = _rot_left(v1, 13) ^ v0
    v0 = _rot_left(v0, 32)
    v2 = (v2 + v3) & _M
    v3 = _rot_left(v3, 16) ^ v2
    v0 = (v0 + v3) & _M
    v3 = _rot_left(v3, 21) ^ v0
    v2 = (v2 + v1) & _M
    v1 = _rot_left(v1, 17) ^ v2
    v2 = _rot_left(v2, 32)
    return v0, v1, v2, v3


def _rot_left(v, shift):
    return ((v << shift) | (v >> (64 - shift))) & _M


def siphash(key, s):
    """SipHash-2-4 of bytes `s` with `key` = (k0, k1), two unsigned 64-bit ints."""
    k0, k1 = key[0] & _M, key[1] & _M
    v0, v1 = k0 ^ 0x736f6d6570736575, k1 ^ 0x646f72616e646f6d
    v2, v3 = k0 ^ 0x6c7967656e657261, k1 ^ 0x7465646279746573
    n = len(s)
    full = n - n % 8
    for i in range(0, full, 8):
        m = _f64(s, i)
        v3 ^= m
        v0, v1, v2, v3 = _sip_round(*_sip_round(v0, v1, v2, v3))
        v0 ^= m
    tail = bytes(s[full:]) + b"\0" * (7 - n % 8)
    m = ((n & 0xff) << 56) | int.from_bytes(tail, "little")
    v3 ^= m
    v0, v1, v2, v3 = _sip_round(*_sip_round(v0, v1, v2, v3))
    v0 ^= m
    v2 ^= 0xff
    for _ in range(4):
        v0, v1, v2, v3 = _sip_round(v0, v1, v2, v3)
    return v0 ^ v1 ^ v2 ^ v3


def fingerprint_cat64(fp1, fp2):
    """TF's FingerprintCat64: an order-dependent combination of two 64-bit fingerprints."""
    mul = 0xc6a4a7935bd1e995
    result = fp1 ^ mul
    result ^= (_shift_mix((fp2 * mul) & _M) * mul) & _M
    result = (result * mul) & _M
    result = (_shift_mix(result) * mul) & _M
    return _shift_mix(result)


def standardize_salt(salt, owner):
    """Keras's `salt`: an int k -> [k, k]; a pair -> a list; None stays None."""
    if salt is None:
        return None
    if isinstance(salt, (tuple, list)) and len(salt) == 2:
        return list(salt)
    if isinstance(salt, int):
        return [salt, salt]
    size = "a tuple of 2 integers" if owner == "IndexLookup" else "a tuple of size 2 integers"
    raise ValueError(f"The `salt` argument for `{owner}` can only be {size}, or a single "
                     f"integer. Received: salt={salt}.")


def hash64(data, salt=None):
    """TF's string hash of bytes: salted SipHash with `salt` = [k0, k1], else Fingerprint64."""
    return siphash(salt, data) if salt is not None else fingerprint64(data)
