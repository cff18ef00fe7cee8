import type { CliIo } from "../../cli/io.ts";

/** What a command printed and answered, as a user at a terminal would see it. */
export interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command in-process with an io that collects its output. */
export async function runCommand(
  command: (args: string[], io: CliIo) => Promise<number>,
  args: string[],
): Promise<CommandRun> {
  const run: CommandRun = { code: 0, stdout: "", stderr: "" };
  run.code = await command(args, {
    stdout: (text) => {
      run.stdout += text;
    },
    stderr: (text) => {
      run.stderr += text;
    },
  });
  return run;
}
