/** `earshot replay`: filled in by the backend work (classify-and-store a chat log). */
export async function runReplay(_args: string[], _out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  err.write('replay is not available in this build\n');
  return 69;
}
