"""The two string hashes TensorFlow's hashing ops use, in pure Python, bit for bit.

- ``fingerprint64(data)``: Google's FarmHash Fingerprint64 (the ``farmhashna::Hash64``
  function), which ``tf.strings.to_hash_bucket_fast`` and Keras's ``Hashing`` layer (no salt)
  use: ``bucket = fingerprint64(s) % num_buckets``.
- ``siphash64(key, data)``: SipHash-2-4 with a 128-bit key given as two unsigned 64-bit
  words, which ``tf.strings.to_hash_bucket_strong`` and ``Hashing(salt=...)`` use.

Both work on bytes and return an unsigned 64-bit int. All arithmetic is modulo 2**64 (the
``& M`` after each product and sum), as the C++ code's ``uint64_t`` wraps.
"""

from __future__ import annotations

M = (1 << 64) - 1
# FarmHash's three odd 64-bit multipliers
K0 = 0xC3A5C85C97CB3127
K1 = 0xB492B66FBE98F273
K2 = 0x9AE16A3B2F90404F


def _u64(s: bytes, i: int) -> int:
    return int.from_bytes(s[i:i + 8], "little")


def _u32(s: bytes, i: int) -> int:
    return int.from_bytes(s[i:i + 4], "little")


def _rotr(v: int, shift: int) -> int:
    return v if shift == 0 else ((v >> shift) | (v << (64 - shift))) & M


def _shift_mix(v: int) -> int:
    return v ^ (v >> 47)


def _hash16(u: int, v: int, mul: int) -> int:
    """Murmur-inspired mixing of two words into one."""
    a = _shift_mix(((u ^ v) * mul) & M)
    b = _shift_mix(((v ^ a) * mul) & M)
    return (b * mul) & M


def _len0to16(s: bytes) -> int:
    n = len(s)
    if n >= 8:
        mul = K2 + n * 2
        a = (_u64(s, 0) + K2) & M
        b = _u64(s, n - 8)
        c = (_rotr(b, 37) * mul + a) & M
        d = ((_rotr(a, 25) + b) * mul) & M
        return _hash16(c, d, mul)
    if n >= 4:
        mul = K2 + n * 2
        return _hash16(n + (_u32(s, 0) << 3), _u32(s, n - 4), mul)
    if n > 0:
        y = s[0] + (s[n >> 1] << 8)
        z = n + (s[n - 1] << 2)
        return (_shift_mix(((y * K2) ^ (z * K0)) & M) * K2) & M
    return K2


def _len17to32(s: bytes) -> int:
    n = len(s)
    mul = K2 + n * 2
    a = (_u64(s, 0) * K1) & M
    b = _u64(s, 8)
    c = (_u64(s, n - 8) * mul) & M
    d = (_u64(s, n - 16) * K2) & M
    return _hash16((_rotr((a + b) & M, 43) + _rotr(c, 30) + d) & M,
                   (a + _rotr((b + K2) & M, 18) + c) & M, mul)


def _len33to64(s: bytes) -> int:
    n = len(s)
    mul = K2 + n * 2
    a = (_u64(s, 0) * K2) & M
    b = _u64(s, 8)
    c = (_u64(s, n - 8) * mul) & M
    d = (_u64(s, n - 16) * K2) & M
    y = (_rotr((a + b) & M, 43) + _rotr(c, 30) + d) & M
    z = _hash16(y, (a + _rotr((b + K2) & M, 18) + c) & M, mul)
    e = (_u64(s, 16) * mul) & M
    f = _u64(s, 24)
    g = ((y + _u64(s, n - 32)) * mul) & M
    h = ((z + _u64(s, n - 24)) * mul) & M
    return _hash16((_rotr((e + f) & M, 43) + _rotr(g, 30) + h) & M,
                   (e + _rotr((f + a) & M, 18) + g) & M, mul)


def _weak32(s: bytes, i: int, a: int, b: int) -> tuple[int, int]:
    """Two words from the 32 bytes at ``i`` and two seeds."""
    w, x, y, z = _u64(s, i), _u64(s, i + 8), _u64(s, i + 16), _u64(s, i + 24)
    a = (a + w) & M
    b = _rotr((b + a + z) & M, 21)
    c = a
    a = (a + x + y) & M
    b = (b + _rotr(a, 44)) & M
    return (a + z) & M, (b + c) & M


def fingerprint64(data: bytes) -> int:
    """FarmHash Fingerprint64 of ``data`` (bytes), as an unsigned 64-bit int."""
    s, n = bytes(data), len(data)
    if n <= 16:
        return _len0to16(s)
    if n <= 32:
        return _len17to32(s)
    if n <= 64:
        return _len33to64(s)
    # Longer inputs: a 56-byte state (x, y, z, v, w) eats 64 bytes a round; the last round
    # re-reads the final 64 bytes, overlapping the previous block.
    seed = 81
    x = (seed * K2 + _u64(s, 0)) & M
    y = (seed * K1 + 113) & M
    z = (_shift_mix((y * K2 + 113) & M) * K2) & M
    v1 = v2 = w1 = w2 = 0
    end = ((n - 1) // 64) * 64
    last = end + ((n - 1) & 63) - 63
    i = 0
    while True:
        x = (_rotr((x + y + v1 + _u64(s, i + 8)) & M, 37) * K1) & M
        y = (_rotr((y + v2 + _u64(s, i + 48)) & M, 42) * K1) & M
        x ^= w2
        y = (y + v1 + _u64(s, i + 40)) & M
        z = (_rotr((z + w1) & M, 33) * K1) & M
        v1, v2 = _weak32(s, i, (v2 * K1) & M, (x + w1) & M)
        w1, w2 = _weak32(s, i + 32, (z + w2) & M, (y + _u64(s, i + 16)) & M)
        z, x = x, z
        i += 64
        if i == end:
            break
    mul = K1 + ((z & 0xFF) << 1)
    i = last
    w1 = (w1 + ((n - 1) & 63)) & M
    v1 = (v1 + w1) & M
    w1 = (w1 + v1) & M
    x = (_rotr((x + y + v1 + _u64(s, i + 8)) & M, 37) * mul) & M
    y = (_rotr((y + v2 + _u64(s, i + 48)) & M, 42) * mul) & M
    x ^= (w2 * 9) & M
    y = (y + v1 * 9 + _u64(s, i + 40)) & M
    z = (_rotr((z + w1) & M, 33) * mul) & M
    v1, v2 = _weak32(s, i, (v2 * mul) & M, (x + w1) & M)
    w1, w2 = _weak32(s, i + 32, (z + w2) & M, (y + _u64(s, i + 16)) & M)
    z, x = x, z
    return _hash16((_hash16(v1, w1, mul) + _shift_mix(y) * K0 + z) & M,
                   (_hash16(v2, w2, mul) + x) & M, mul)


def _rotl(v: int, shift: int) -> int:
    return ((v << shift) | (v >> (64 - shift))) & M


def siphash64(key: tuple[int, int], data: bytes) -> int:
    """SipHash-2-4 of ``data`` under the key ``(k0, k1)`` (two unsigned 64-bit ints)."""
    k0, k1 = key[0] & M, key[1] & M
    v0, v1 = k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D
    v2, v3 = k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573

    def rounds(count):
        nonlocal v0, v1, v2, v3
        for _ in range(count):
            v0 = (v0 + v1) & M
            v1 = _rotl(v1, 13) ^ v0
            v0 = _rotl(v0, 32)
            v2 = (v2 + v3) & M
            v3 = _rotl(v3, 16) ^ v2
            v0 = (v0 + v3) & M
            v3 = _rotl(v3, 21) ^ v0
            v2 = (v2 + v1) & M
            v1 = _rotl(v1, 17) ^ v2
            v2 = _rotl(v2, 32)

    data = bytes(data)
    n = len(data)
    # the last word holds the leftover bytes and, in its top byte, the length mod 256
    tail = data[n - n % 8:] + bytes(7 - n % 8) + bytes([n & 0xFF])
    for i in range(0, n - n % 8, 8):
        m = _u64(data, i)
        v3 ^= m
        rounds(2)
        v0 ^= m
    m = _u64(tail, 0)
    v3 ^= m
    rounds(2)
    v0 ^= m
    v2 ^= 0xFF
    rounds(4)
    return v0 ^ v1 ^ v2 ^ v3
