import { type GalleryUiState, galleryUiStateSchema } from '../../src/shared/protocol/gallery';

/**
 * The state to start from: what this webview saved before it was hidden (VS Code's `getState`), when it is
 * still valid, else what the host kept across a close (the bootstrap's).
 */
export function restoreUiState(saved: unknown, fromBootstrap: GalleryUiState): GalleryUiState {
  const parsed = galleryUiStateSchema.safeParse(saved);
  return parsed.success ? parsed.data : fromBootstrap;
}
