"""TensorBoard event files as accelerate's TensorBoardTracker writes them through torch's
SummaryWriter [ref §6]: `<logging_dir>/<log_prefix><YYYYmmddHHMMSS>/network_train/
events.out.tfevents.<unix>.<host>.<pid>.0`, TFRecord framing, protobuf `Event` messages, a
`brain.Event:2` version record first, scalars as `simple_value`, flushed after every log() call.
"""
import os
import socket
import struct
import time


def _crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc32c_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc(data):
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def record(data):
    """One TFRecord: u64 LE length, masked CRC32C of the length bytes, data, masked CRC32C of data."""
    length = struct.pack("<Q", len(data))
    return length + struct.pack("<I", masked_crc(length)) + data + struct.pack("<I", masked_crc(data))


def _varint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        bits = n & 0x7F
        n >>= 7
        if n:
            out.append(bits | 0x80)
        else:
            out.append(bits)
            return bytes(out)


def _field(number, wire, payload):
    return _varint(number << 3 | wire) + payload


def _bytes_field(number, data):
    return _field(number, 2, _varint(len(data)) + data)


def event(wall_time, step=0, file_version=None, scalar=None):
    """Event{wall_time=1 (double), step=2 (int64), file_version=3 (string), summary=5};
    Summary{value=1}; Summary.Value{tag=1 (string), simple_value=2 (float)}. Zero steps are
    left out, as proto3 does."""
    out = _field(1, 1, struct.pack("<d", wall_time))
    if step:
        out += _field(2, 0, _varint(step))
    if file_version is not None:
        out += _bytes_field(3, file_version.encode())
    if scalar is not None:
        tag, value = scalar
        summary_value = _bytes_field(1, tag.encode()) + _field(2, 5, struct.pack("<f", value))
        out += _bytes_field(5, _bytes_field(1, summary_value))
    return out


class Writer:
    def __init__(self, run_dir, tracker_name="network_train"):
        folder = os.path.join(run_dir, tracker_name)
        os.makedirs(folder, exist_ok=True)
        name = "events.out.tfevents.%010d.%s.%s.%s" % (time.time(), socket.gethostname(), os.getpid(), 0)
        self.path = os.path.join(folder, name)
        self._file = open(self.path, "ab")
        self._file.write(record(event(time.time(), file_version="brain.Event:2")))
        self._file.flush()

    def log(self, values, step):
        """accelerate's TensorBoardTracker.log: one add_scalar per value, then flush."""
        for tag, value in values.items():
            self._file.write(record(event(time.time(), step=step, scalar=(tag, float(value)))))
        self._file.flush()

    def close(self):
        self._file.close()
