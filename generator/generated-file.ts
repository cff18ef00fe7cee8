/** One file an emitter produces: a path relative to the output folder (POSIX separators) and its full text. */
export interface GeneratedFile {
  path: string;
  contents: string;
}
