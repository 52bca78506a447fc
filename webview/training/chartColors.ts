/** The chart's colours, from the theme's `--vscode-charts-*` variables. */
export interface ChartColors {
  readonly raw: string;
  readonly smoothed: string;
  readonly average: string;
  readonly checkpoint: string;
  readonly axis: string;
  readonly grid: string;
}

/** How much of the raw loss shows through: TensorBoard draws it faint behind the smoothed curve. */
const rawAlpha = 0.3;

/** Reads the theme's colours; VS Code sets them on the root element and changes them with the theme. */
export function readChartColors(read: (name: string) => string): ChartColors {
  const variable = (name: string, fallback: string): string => read(name).trim() || fallback;
  const line = variable('--vscode-charts-blue', '#3794ff');
  return {
    raw: withAlpha(line, rawAlpha),
    smoothed: line,
    average: variable('--vscode-charts-orange', '#d18616'),
    checkpoint: variable('--vscode-charts-purple', '#b180d7'),
    axis: variable('--vscode-descriptionForeground', variable('--vscode-foreground', '#888888')),
    grid: withAlpha(variable('--vscode-charts-lines', '#80808080'), 0.35),
  };
}

/**
 * The colour with its alpha multiplied by `alpha`, for the hex and rgb() forms VS Code's variables
 * take; any other form comes back as it is (drawn opaque rather than not at all).
 */
export function withAlpha(color: string, alpha: number): string {
  const c = color.trim();
  const hex = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(c)?.[1];
  if (hex !== undefined) {
    const full = hex.length <= 4 ? [...hex].map((d) => d + d).join('') : hex;
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16));
    const a = full.length === 8 ? parseInt(full.slice(6, 8), 16) / 255 : 1;
    return `rgba(${r}, ${g}, ${b}, ${round(a * alpha)})`;
  }
  const rgb = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:\s*[,/]\s*([\d.]+)(%?))?\s*\)$/i.exec(c);
  if (rgb) {
    const a = rgb[4] === undefined ? 1 : Number(rgb[4]) / (rgb[5] === '%' ? 100 : 1);
    return `rgba(${rgb[1]}, ${rgb[2]}, ${rgb[3]}, ${round(a * alpha)})`;
  }
  return c;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
