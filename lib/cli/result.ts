/** What a command returns instead of writing to the process: the bin writes it out and sets the exit code. */
export interface CliResult {
  /** The exit code. */
  readonly code: number;
  /** Text for standard output. */
  readonly stdout: string;
  /** Text for standard error. */
  readonly stderr: string;
}
