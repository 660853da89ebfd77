"""Reads a sluice log straight from its database files, independently of the
binary and its storage plugins, so tests can check what was really committed
(docs/formats.md "Log records" and "Chunk logs": the layout both embedded
plugins write, format 2, and the legacy format-1 layouts they still read;
every chunk's and meta's CRC-32C is checked as its format says).

LevelDB: the files are parsed here. Only uncompressed tables are supported:
run sluice with `storage: { plugin: leveldb, options: { compression: none } }`.
RocksDB (a directory with OPTIONS-* files): RocksDB's own code reads it,
through the sluice_e2e_rocksdb_dump tool built beside the sluice binary
(SLUICE_ROCKSDB_DUMP overrides its path). Either way the database must not
be open in a running process.

    records, end, checkpoint = read_log(".../pipeline/logs/trips/v0001/log")
    # records: list of (kind, payload bytes), offset = list index
    stream = read_stream(dir)  # the raw records, end, checkpoint, format, layout
"""
import os
import re
import struct
import subprocess

from harness import SLUICE_BIN

ROCKSDB_DUMP = os.environ.get("SLUICE_ROCKSDB_DUMP",
                              os.path.join(os.path.dirname(SLUICE_BIN), "sluice_e2e_rocksdb_dump"))

KIND_INSERT, KIND_UPDATE, KIND_DELETE, KIND_COMMIT = 1, 2, 3, 4


def varint(buf, pos):
    """Decodes an unsigned LEB128 at buf[pos:]; returns (value, next position)."""
    result = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7


def _prefixed(buf, pos):
    n, pos = varint(buf, pos)
    return bytes(buf[pos:pos + n]), pos + n


def _wal_records(path):
    """The logical records of a LevelDB log-format file (WAL or MANIFEST).
    Stops at the first torn or malformed fragment (what LevelDB drops too)."""
    with open(path, "rb") as f:
        data = f.read()
    out, pending, pos = [], None, 0
    while pos + 7 <= len(data):
        left = 32768 - pos % 32768
        if left < 7:
            pos += left
            continue
        length, kind = struct.unpack_from("<HB", data, pos + 4)
        if kind == 0 and length == 0:  # preallocated zeroes
            pos += left
            continue
        if pos + 7 + length > len(data) or 7 + length > left or kind not in (1, 2, 3, 4):
            break
        frag = data[pos + 7:pos + 7 + length]
        pos += 7 + length
        if kind == 1:
            out.append(frag)
        elif kind == 2:
            pending = bytearray(frag)
        elif pending is not None:
            pending += frag
            if kind == 4:
                out.append(bytes(pending))
                pending = None
    return out


def _live_files(dirpath):
    """(table numbers, minimum live WAL number) from CURRENT and its MANIFEST."""
    with open(os.path.join(dirpath, "CURRENT")) as f:
        manifest = f.read().strip()
    tables, log_number, prev_log = set(), 0, 0
    for edit in _wal_records(os.path.join(dirpath, manifest)):
        pos = 0
        while pos < len(edit):
            tag, pos = varint(edit, pos)
            if tag == 1:  # comparator
                _, pos = _prefixed(edit, pos)
            elif tag in (2, 3, 4, 9):  # log number, next file, last sequence, prev log
                value, pos = varint(edit, pos)
                if tag == 2:
                    log_number = value
                if tag == 9:
                    prev_log = value
            elif tag == 5:  # compact pointer
                _, pos = varint(edit, pos)
                _, pos = _prefixed(edit, pos)
            elif tag == 6:  # deleted file
                _, pos = varint(edit, pos)
                number, pos = varint(edit, pos)
                tables.discard(number)
            elif tag == 7:  # new file
                _, pos = varint(edit, pos)
                number, pos = varint(edit, pos)
                _, pos = varint(edit, pos)
                _, pos = _prefixed(edit, pos)
                _, pos = _prefixed(edit, pos)
                tables.add(number)
            else:
                raise ValueError(f"{manifest}: unknown version edit tag {tag}")
    return tables, (prev_log or log_number)


def _block_entries(block):
    num_restarts = struct.unpack_from("<I", block, len(block) - 4)[0]
    limit = len(block) - 4 - 4 * num_restarts
    pos, key = 0, b""
    while pos < limit:
        shared, pos = varint(block, pos)
        unshared, pos = varint(block, pos)
        vlen, pos = varint(block, pos)
        key = key[:shared] + bytes(block[pos:pos + unshared])
        pos += unshared
        yield key, block[pos:pos + vlen]
        pos += vlen


def _read_block(data, handle, pos=0):
    offset, pos = varint(handle, pos)
    size, pos = varint(handle, pos)
    if data[offset + size] != 0:
        raise ValueError("compressed table block: run with `compression: none`")
    return data[offset:offset + size], pos


def _table_entries(path):
    """(user key, sequence, is_value, value) of every entry of an .ldb table."""
    with open(path, "rb") as f:
        data = memoryview(f.read())
    footer = data[-48:]
    if struct.unpack_from("<Q", footer, 40)[0] != 0xdb4775248b80fb57:
        raise ValueError(path + ": not a LevelDB table")
    _, pos = varint(footer, 0)
    _, pos = varint(footer, pos)  # metaindex handle
    index, _ = _read_block(data, footer, pos)
    for _, handle in _block_entries(index):
        block, _ = _read_block(data, handle)
        for ikey, value in _block_entries(block):
            tag = struct.unpack_from("<Q", ikey, len(ikey) - 8)[0]
            yield ikey[:-8], tag >> 8, (tag & 0xFF) == 1, bytes(value)


def _wal_entries(path):
    for batch in _wal_records(path):
        seq, count = struct.unpack_from("<QI", batch, 0)
        pos = 12
        for i in range(count):
            kind = batch[pos]
            key, pos = _prefixed(batch, pos + 1)
            value = b""
            if kind == 1:
                value, pos = _prefixed(batch, pos)
            yield key, seq + i, kind == 1, value


def read_db(dirpath):
    """The current contents of a closed LevelDB database: {key: value}."""
    tables, min_log = _live_files(dirpath)
    newest = {}

    def take(entries):
        for key, seq, is_value, value in entries:
            old = newest.get(key)
            if old is None or seq > old[0]:
                newest[key] = (seq, is_value, value)

    for name in os.listdir(dirpath):
        m = re.fullmatch(r"(\d+)\.(ldb|sst|log)", name)
        if not m:
            continue
        number, ext = int(m.group(1)), m.group(2)
        path = os.path.join(dirpath, name)
        if ext == "log" and number >= min_log:
            take(_wal_entries(path))
        elif ext != "log" and number in tables:
            take(_table_entries(path))
    return {k: v for k, (_, is_value, v) in newest.items() if is_value}


def is_rocksdb(dirpath):
    """RocksDB keeps an OPTIONS-* file in every database directory; LevelDB never does."""
    return any(name.startswith("OPTIONS-") for name in os.listdir(dirpath))


def read_rocksdb(dirpath):
    """The current contents of a closed RocksDB database: {key: value}."""
    if not os.path.exists(ROCKSDB_DUMP):
        raise FileNotFoundError(f"{ROCKSDB_DUMP} not found: build the sluice_e2e_rocksdb_dump target "
                                "(or set SLUICE_ROCKSDB_DUMP to it)")
    p = subprocess.run([ROCKSDB_DUMP, dirpath], capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise ValueError(f"{dirpath}: cannot read the RocksDB database: {p.stderr.strip()}")
    db = {}
    for line in p.stdout.splitlines():
        key, value = line.split(" ")
        db[bytes.fromhex(key)] = bytes.fromhex(value)
    return db


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ (0x82F63B78 & -(c & 1))
        table.append(c)
    return table


_CRC32C = _crc32c_table()


def crc32c(data):
    """CRC-32C (Castagnoli) of data; crc32c(b"123456789") == 0xE3069283."""
    crc, table = 0xFFFFFFFF, _CRC32C
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def mask(crc):
    """A CRC as sluice stores it: ((crc >> 15) | (crc << 17)) + 0xa282ead8."""
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


class Stream:
    """One chunk log: raw records (offset = list index), its end and
    checkpoint, the meta's format (1 or 2), whether CRCs are masked, and
    whether the meta lives under the single legacy key b"M"."""

    def __init__(self, records, end, checkpoint, fmt, masked, single_meta):
        self.records, self.end, self.checkpoint = records, end, checkpoint
        self.format, self.masked, self.single_meta = fmt, masked, single_meta


def _is_chunk_key(key):
    return len(key) == 9 and key[:1] == b"C"


def _is_tail_meta_key(key):
    return len(key) == 10 and key[:1] == b"C" and key[9:] == b"M"


def _meta(value):
    """(format, masked, end, checkpoint) of a meta value, its CRC checked."""
    if len(value) < 13:
        raise ValueError(f"meta of {len(value)} bytes is too short")
    stored, fmt = struct.unpack_from("<I", value, 0)[0], value[4]
    crc = crc32c(value[4:])
    masked = stored == mask(crc)
    if not masked and not (stored == crc and fmt == 1):
        raise ValueError("meta checksum mismatch")
    if fmt not in (1, 2):
        raise ValueError(f"meta format {fmt} is unknown")
    return fmt, masked, struct.unpack_from("<Q", value, 5)[0], value[13:]


def read_stream(dirpath):
    """The chunk log in a closed database directory, as a Stream. Raises
    ValueError when a key, a CRC or the chunks' sequence is wrong."""
    db = read_rocksdb(dirpath) if is_rocksdb(dirpath) else read_db(dirpath)
    keys = sorted(db)
    if not keys:
        return Stream([], 0, b"", 2, True, False)
    # The meta is the last key: "C" + offset + "M" right after each append's
    # last chunk (format 2, and format 1 from the leveldb plugin), or the
    # single key "M" (format 1: rocksdb, older leveldb streams).
    last = keys[-1]
    single = last == b"M"
    if not (single or _is_tail_meta_key(last)):
        raise ValueError(f"the last key {last!r} is not a meta key")
    fmt, masked, end, checkpoint = _meta(db[last])
    if single and fmt != 1:
        raise ValueError(f"format {fmt} meta under the single key")
    records = []
    for key in keys:
        if _is_tail_meta_key(key):
            _meta(db[key])  # earlier appends' metas: checked, not used
            continue
        if not _is_chunk_key(key):
            continue
        first = struct.unpack(">Q", key[1:])[0]
        if first != len(records):
            raise ValueError(f"chunk at offset {first}, expected {len(records)}")
        chunk = db[key]
        crc = crc32c(chunk[:-4])
        if struct.unpack_from("<I", chunk, len(chunk) - 4)[0] != (mask(crc) if masked else crc):
            raise ValueError(f"chunk at offset {first}: checksum mismatch")
        count, pos = varint(chunk, 0)
        for _ in range(count):
            rec, pos = _prefixed(chunk, pos)
            records.append(rec)
        if pos != len(chunk) - 4:
            raise ValueError(f"chunk at offset {first}: {len(chunk) - 4 - pos} bytes left over")
    if len(records) != end:
        raise ValueError(f"{len(records)} records stored, the meta says the log ends at {end}")
    return Stream(records, end, checkpoint, fmt, masked, single)


def read_log(dirpath):
    """Every record of a sluice log: ([(kind, payload)], end, checkpoint bytes).
    Raises ValueError when chunks are missing or malformed."""
    s = read_stream(dirpath)
    return [(rec[4], rec[5:]) for rec in s.records], s.end, s.checkpoint


def decode_commit(payload):
    """(flags, rows, unix_micros, source offset bytes) of a commit record."""
    flags, pos = varint(payload, 0)
    rows, pos = varint(payload, pos)
    micros, pos = varint(payload, pos)
    offset, pos = _prefixed(payload, pos)
    return flags, rows, micros, offset


def first_int64(row):
    """The first field of an encoded row, when it is a non-null int64."""
    count, pos = varint(row, 0)
    bitmap = row[pos:pos + (count + 7) // 8]
    if bitmap[0] & 1:
        return None
    return struct.unpack_from("<q", row, pos + len(bitmap))[0]
