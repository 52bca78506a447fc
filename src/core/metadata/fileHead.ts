import { type FileHandle, open } from 'node:fs/promises';
import { InvalidInputError } from '../util/errors';
import { isErrnoException, isMissingFile } from '../util/files';

/**
 * How much of an image is read at once. Text chunks usually sit right after IHDR, and most
 * thumbnails and small images fit whole, so one read answers most files.
 */
export const headBytes = 64 * 1024;

/**
 * Opens `file`, reads its first `headBytes` and hands both to `use`: one open and one read
 * tell what the file is, and the handle stays open for any further positional reads.
 */
export async function withFileHead<T>(file: string, use: (handle: FileHandle, head: Buffer) => Promise<T>): Promise<T> {
  const handle = await openForReading(file);
  try {
    const head = await readAt(handle, 0, headBytes, file);
    return await use(handle, head);
  } finally {
    await handle.close();
  }
}

/** Up to `length` bytes from `position`; fewer only at the end of the file. */
export async function readAt(handle: FileHandle, position: number, length: number, file: string): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  try {
    while (filled < length) {
      const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
  } catch (error) {
    if (isErrnoException(error) && error.code === 'EISDIR') throw new InvalidInputError(`${file} is a folder, not an image.`);
    throw error;
  }
  return buffer.subarray(0, filled);
}

async function openForReading(file: string): Promise<FileHandle> {
  try {
    return await open(file, 'r');
  } catch (error) {
    if (isMissingFile(error)) {
      throw new InvalidInputError(`${file} does not exist: give the path of a PNG, JPEG or WebP image.`);
    }
    throw error;
  }
}
