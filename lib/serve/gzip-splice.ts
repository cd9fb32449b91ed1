/**
 * A gzip body made of pieces compressed once and short values that change per response (a page's CSP nonce).
 * Each piece is compressed on its own as raw deflate ending in a sync flush (byte aligned, not final), so pieces
 * follow one another as one deflate stream; a changing value goes between them as a stored block, and an empty
 * final block closes the stream. Only the CRC-32 of the trailer is computed per response.
 *
 * A piece may still refer back to the pieces before it (a page repeats itself: its flight data holds what its HTML
 * shows): it is compressed with what precedes it as the dictionary, the changing values written as zero bytes. The
 * pieces hold no zero byte, so no back reference can reach into a changing value, and the distances hold as long
 * as each value has the length it had when the pieces were compressed.
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

function storedBlocks(data: Buffer): Buffer[] {
  const blocks: Buffer[] = [];
  for (let start = 0; start < data.length; start += STORED_MAX) {
    const chunk = data.subarray(start, start + STORED_MAX);
    const head = Buffer.alloc(5);
    head.writeUInt16LE(chunk.length, 1);
    head.writeUInt16LE(~chunk.length & 0xffff, 3);
    blocks.push(head, chunk);
  }
  return blocks;
}

/** The fixed pieces of a body, each compressed once. */
export interface SplicedGzip {
  pieces: Buffer[];
  deflated: Buffer[];
  /** The length every value between pieces must have, when the pieces refer back across them. */
  betweenLength?: number;
}

/** The pieces compressed for values of `betweenLength` bytes between them (of any length, at a worse ratio, without). */
export async function compressPieces(pieces: Buffer[], betweenLength?: number): Promise<SplicedGzip> {
  const referBack = betweenLength !== undefined && pieces.every((piece) => !piece.includes(0));
  const gap = Buffer.alloc(betweenLength ?? 0);
  const deflated = await Promise.all(
    pieces.map((piece, i) => {
      const before = referBack && i > 0 ? Buffer.concat(pieces.slice(0, i).flatMap((p) => [p, gap])) : undefined;
      const dictionary = before?.subarray(Math.max(0, before.length - WINDOW));
      return deflateRawAsync(piece, { level: 9, finishFlush: constants.Z_SYNC_FLUSH, ...(dictionary && dictionary.length > 0 ? { dictionary } : {}) });
    }),
  );
  return referBack ? { pieces, deflated, betweenLength } : { pieces, deflated };
}

/** CRC-32 (the gzip polynomial, reflected) one byte at a time through a 256-entry table. */
const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function tableCrc32(data: Buffer, crc: number): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** zlib.crc32 came in Node 20.15; the package supports Node from 20.9, where the same sum is computed here. */
const crc32: (data: Buffer, crc: number) => number = (zlib as { crc32?: (data: Buffer, crc: number) => number }).crc32 ?? tableCrc32;

/** The gzip body of the pieces with `between` after every piece but the last. */
export function splicedGzip({ pieces, deflated, betweenLength }: SplicedGzip, between: Buffer): Buffer {
  if (betweenLength !== undefined && pieces.length > 1 && between.length !== betweenLength) {
    throw new Error(`the pieces were compressed for ${betweenLength} bytes between them, not ${between.length}`);
  }
  const parts: Buffer[] = [GZIP_HEADER];
  const plain: Buffer[] = [];
  pieces.forEach((piece, i) => {
    parts.push(deflated[i]);
    plain.push(piece);
    if (i < pieces.length - 1) {
      parts.push(...storedBlocks(between));
      plain.push(between);
    }
  });
  const trailer = Buffer.alloc(8);
  // zlib.crc32 of no bytes answers 0 whatever it continues from (Node 20), so empty pieces are left out.
  trailer.writeUInt32LE(
    plain.reduce((crc, piece) => (piece.length === 0 ? crc : crc32(piece, crc)), 0),
    0,
  );
  trailer.writeUInt32LE(plain.reduce((n, b) => n + b.length, 0) % 2 ** 32, 4);
  parts.push(FINAL_EMPTY_BLOCK, trailer);
  return Buffer.concat(parts);
}
