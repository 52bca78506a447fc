/**
 * The environment of a supervised child: ours, with the spec's variables over it (an undefined
 * value removes a variable), and always unbuffered UTF-8 Python output. Without
 * PYTHONUNBUFFERED a piped stdout is block-buffered and lines (ComfyUI's readiness line with
 * `--log-stdout`, sd-scripts' `epoch N/M`) arrive late and in bursts; without PYTHONIOENCODING
 * a Windows pipe uses the ANSI code page and sd-scripts dies at its first Japanese print.
 */
export function childEnv(
  base: NodeJS.ProcessEnv,
  overrides: Readonly<Record<string, string | undefined>> = {},
  platform: NodeJS.Platform = process.platform,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  const set = (name: string, value: string | undefined): void => {
    // Windows variable names are case-insensitive: setting PATH must replace Path, not sit beside it.
    if (platform === 'win32') {
      for (const key of Object.keys(env)) if (key !== name && key.toUpperCase() === name.toUpperCase()) delete env[key];
    }
    if (value === undefined) delete env[name];
    else env[name] = value;
  };
  for (const [name, value] of Object.entries(overrides)) set(name, value);
  set('PYTHONUNBUFFERED', '1');
  set('PYTHONIOENCODING', 'utf-8');
  return env;
}
