/** Which rows are selected, and the row a Shift+click range starts from. */
export interface RowSelection {
  readonly selected: ReadonlySet<string>;
  readonly anchor: string | null;
}

export const emptySelection: RowSelection = { selected: new Set(), anchor: null };

export interface ClickModifiers {
  /** Shift: select the range from the anchor. */
  readonly range: boolean;
  /** Ctrl (Cmd on macOS): add to or take from the selection. */
  readonly toggle: boolean;
}

/**
 * The selection after a click on row `id`, as a file list does it: a plain click selects the one row,
 * Ctrl+click toggles it, Shift+click selects from the anchor to it (added to the selection with Ctrl).
 * `order` is every row id in display order.
 */
export function clickSelection(current: RowSelection, order: readonly string[], id: string, modifiers: ClickModifiers): RowSelection {
  if (modifiers.range && current.anchor !== null) {
    const from = order.indexOf(current.anchor);
    const to = order.indexOf(id);
    if (from >= 0 && to >= 0) {
      const range = order.slice(Math.min(from, to), Math.max(from, to) + 1);
      const selected = modifiers.toggle ? new Set([...current.selected, ...range]) : new Set(range);
      // The anchor stays: a second Shift+click re-ranges from the same row.
      return { selected, anchor: current.anchor };
    }
  }
  if (modifiers.toggle) {
    const selected = new Set(current.selected);
    if (selected.has(id)) selected.delete(id);
    else selected.add(id);
    return { selected, anchor: id };
  }
  return { selected: new Set([id]), anchor: id };
}

export function selectAll(order: readonly string[]): RowSelection {
  return { selected: new Set(order), anchor: order[0] ?? null };
}

/** Drops rows that are gone (a dataset reloaded with fewer images). */
export function keepKnown(current: RowSelection, known: ReadonlySet<string>): RowSelection {
  const selected = new Set([...current.selected].filter((id) => known.has(id)));
  return { selected, anchor: current.anchor !== null && known.has(current.anchor) ? current.anchor : null };
}
