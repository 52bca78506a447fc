/** The last part of a run-relative path (`out/spyke-step00000200.safetensors` → `spyke-step00000200.safetensors`). */
export function fileName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}
