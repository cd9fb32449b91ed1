/**
 * A body that is the same for every response but for a short value of fixed length in a few places (a page's CSP
 * nonce), kept as one buffer per encoding with slots where the value goes: a response copies the buffer, writes
 * the value into each slot and, for gzip, writes the CRC-32 of the trailer, which follows from the value alone.
 *
 * The gzip stream is made of deflate pieces compressed once, each ending in a sync flush (byte aligned, not final),
 * with the value between them as a stored block, whose bytes are sent as they are. A piece may still refer back to
 * the pieces before it (a page repeats itself: its flight data holds what its HTML shows): it is compressed with
 * what precedes it as the dictionary, the slots written as zero bytes. The pieces hold no zero byte, so no back
 * reference can reach into a slot, and the distances hold because every value has the slot's length.
 *
 * The CRC: a message's CRC-32 is affine in its bits, so the CRC with the value in every slot is the CRC with zero
 * bytes there, plus the value's own CRC register moved forward by the bytes after each slot (multiplied by x^8 per
 * byte, modulo the polynomial); the moves of all slots add up to one factor, computed once.
 */
import * as zlib from 'node:zlib';
import { constants, deflateRaw } from 'node:zlib';
import { promisify } from 'node:util';

const deflateRawAsync = promisify(deflateRaw);

/** ID1 ID2, deflate, no flags, no time, no extra flags, OS unknown. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff]);
/** BFINAL set, fixed Huffman codes, and the end-of-block code at once. */
const FINAL_EMPTY_BLOCK = Buffer.from([0x03, 0x00]);
/** A stored block holds at most this many bytes. */
const STORED_MAX = 0xffff;
/** How far back deflate refers. */
const WINDOW = 32 * 1024;
/** The gzip polynomial, reflected. */
const POLY = 0xedb88320;

/** CRC-32 (the gzip polynomial, reflected) one byte at a time through a 256-entry table. */
const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? POLY ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function tableCrc32(data: Buffer, crc: number): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** zlib.crc32 came in Node 20.15; the package supports Node from 20.9, where the same sum is computed here. */
const crc32: (data: Buffer, crc: number) => number = (zlib as { crc32?: (data: Buffer, crc: number) => number }).crc32 ?? tableCrc32;

/** a·b modulo the polynomial, both reflected (x^0 in the top bit). */
function multiplyModP(a: number, b: number): number {
  let product = 0;
  for (let bit = 0x80000000; bit !== 0 && a !== 0; bit >>>= 1) {
    if (a & bit) {
      product ^= b;
      a ^= bit;
    }
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return product >>> 0;
}

/** x^(8·bytes) modulo the polynomial: what moving a CRC register forward over `bytes` zero bytes multiplies it by. */
function zeroBytesFactor(bytes: number): number {
  let result = 0x80000000;
  let square = 0x00800000;
  for (let n = bytes; n > 0; n = Math.floor(n / 2)) {
    if (n % 2 === 1) result = multiplyModP(result, square);
    square = multiplyModP(square, square);
  }
  return result;
}

/** One encoding of a body: its bytes with zero bytes in each slot, and where the slots start. */
export interface Slotted {
  bytes: Buffer;
  slots: number[];
}

/** A body kept for responses that differ only in the value written into its slots. */
export interface SlottedBody {
  valueLength: number;
  plain: Slotted;
  gzip: Slotted;
  /** CRC-32 of the plain body with zero bytes in the slots. */
  zeroCrc: number;
  /** The sum of x^(8·bytes after the slot) over the slots. */
  crcFactor: number;
}

function storedBlockHead(length: number): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt16LE(length, 1);
  head.writeUInt16LE(~length & 0xffff, 3);
  return head;
}

/** The body `pieces` joined by a value of `valueLength` bytes, ready to send plain or gzip with any such value. */
export async function slottedBody(pieces: Buffer[], valueLength: number): Promise<SlottedBody> {
  if (valueLength > STORED_MAX) throw new Error(`a value of ${valueLength} bytes does not fit one stored block`);
  const gap = Buffer.alloc(pieces.length > 1 ? valueLength : 0);
  const plain = Buffer.concat(pieces.flatMap((p, i) => (i === 0 ? [p] : [gap, p])));
  const plainSlots: number[] = [];
  for (let i = 0, at = 0; i < pieces.length - 1; i++) {
    at += pieces[i].length;
    plainSlots.push(at);
    at += valueLength;
  }
  const referBack = pieces.every((piece) => !piece.includes(0));
  const deflated = await Promise.all(
    pieces.map((piece, i) => {
      const before = plainSlots[i - 1] === undefined ? 0 : plainSlots[i - 1] + valueLength;
      const dictionary = referBack && before > 0 ? plain.subarray(Math.max(0, before - WINDOW), before) : undefined;
      return deflateRawAsync(piece, { level: 9, finishFlush: constants.Z_SYNC_FLUSH, ...(dictionary ? { dictionary } : {}) });
    }),
  );
  const parts: Buffer[] = [GZIP_HEADER];
  const gzipSlots: number[] = [];
  let length = GZIP_HEADER.length;
  deflated.forEach((piece, i) => {
    parts.push(piece);
    length += piece.length;
    if (i === deflated.length - 1) return;
    parts.push(storedBlockHead(valueLength), gap);
    gzipSlots.push(length + 5);
    length += 5 + valueLength;
  });
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(plain.length % 2 ** 32, 4);
  parts.push(FINAL_EMPTY_BLOCK, trailer);
  const zeroCrc = plain.length === 0 ? 0 : crc32(plain, 0);
  trailer.writeUInt32LE(zeroCrc, 0);
  const crcFactor = plainSlots.reduce((sum, at) => (sum ^ zeroBytesFactor(plain.length - at - valueLength)) >>> 0, 0);
  return { valueLength, plain: { bytes: plain, slots: plainSlots }, gzip: { bytes: Buffer.concat(parts), slots: gzipSlots }, zeroCrc, crcFactor };
}

/** The body with `value` in every slot, plain or gzip. */
export function filledBody(body: SlottedBody, value: Buffer, encoding: 'plain' | 'gzip'): Buffer {
  const { bytes, slots } = body[encoding];
  if (slots.length === 0) return bytes;
  if (value.length !== body.valueLength) throw new Error(`the slots hold ${body.valueLength} bytes, not ${value.length}`);
  const out = Buffer.allocUnsafe(bytes.length);
  bytes.copy(out);
  for (const at of slots) value.copy(out, at);
  if (encoding === 'gzip') {
    // The value's own register (no initial or final inversion), moved forward over what follows each slot.
    const register = (crc32(value, 0xffffffff) ^ 0xffffffff) >>> 0;
    out.writeUInt32LE((body.zeroCrc ^ multiplyModP(body.crcFactor, register)) >>> 0, out.length - 8);
  }
  return out;
}
