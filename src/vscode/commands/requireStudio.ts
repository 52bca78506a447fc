import type * as vscode from 'vscode';
import { AppError } from '../../core/util/errors';
import type { StudioSession } from '../studioSession';

/** The studio's root, or an error that tells the user how to get one. */
export async function requireStudio(session: StudioSession): Promise<vscode.Uri> {
  if (session.state.kind === 'searching') await session.detect();
  const root = session.root;
  if (!root) throw new AppError('no_studio', 'This folder is not a studio yet: run "StudioNOVA: New Studio" first.');
  return root;
}
