// Types of electron-download.mjs.
export interface DownloadProgress {
  readonly transferred: number;
  readonly total: number | null;
  readonly resumedFrom: number;
}
export function resumingDownloader(
  partDir: string,
  onProgress?: (progress: DownloadProgress) => void,
): { download(url: string, targetFilePath: string): Promise<void> };
