"""hashes -- password hashes for web configs, made by the same libraries nsprobe checks them with:
libxcrypt's bcrypt and libsodium's argon2id (through ctypes, so no Python package is needed)."""

import ctypes
import ctypes.util

from .ports import FixtureError


def bcrypt_hash(password, cost=4):
    """A $2y$ bcrypt hash of password (cost 4: tests need speed, not strength)."""
    lib = ctypes.CDLL(ctypes.util.find_library("crypt") or "libcrypt.so.1")
    lib.crypt_gensalt.restype = ctypes.c_char_p
    lib.crypt_gensalt.argtypes = [ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p, ctypes.c_int]
    lib.crypt.restype = ctypes.c_char_p
    lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    out = lib.crypt(password.encode(), lib.crypt_gensalt(b"$2y$", cost, None, 0))
    if not out or out.startswith(b"*"):
        raise FixtureError("libxcrypt could not make a bcrypt hash")
    return out.decode()


def argon2id_hash(password):
    """An $argon2id$ hash of password at libsodium's minimum cost."""
    lib = ctypes.CDLL(ctypes.util.find_library("sodium") or "libsodium.so.23")
    if lib.sodium_init() < 0:
        raise FixtureError("sodium_init failed")
    out = ctypes.create_string_buffer(128)
    pw = password.encode()
    # crypto_pwhash_argon2id_OPSLIMIT_MIN = 1, MEMLIMIT_MIN = 8192 bytes
    if lib.crypto_pwhash_argon2id_str(out, pw, ctypes.c_ulonglong(len(pw)), ctypes.c_ulonglong(1),
                                      ctypes.c_size_t(8192)) != 0:
        raise FixtureError("libsodium could not make an argon2id hash")
    return out.value.decode()
