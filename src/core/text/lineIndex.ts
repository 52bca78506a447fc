import type { TextRange } from '../model/problem';

/** Turns character offsets into zero-based line and column, as editors count them. */
export class LineIndex {
  private readonly lineStarts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    }
  }

  position(offset: number): { line: number; column: number } {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low, column: offset - this.lineStarts[low]! };
  }

  range(offset: number, length: number, lineOffset = 0): TextRange {
    const start = this.position(offset);
    const end = this.position(offset + Math.max(length, 0));
    return {
      startLine: start.line + lineOffset,
      startColumn: start.column,
      endLine: end.line + lineOffset,
      endColumn: end.column,
    };
  }
}
