export declare const MIME_TYPES: Record<string, string>;
export declare const ISOLATION_HEADERS: Record<string, string>;
export interface WebServer {
  url: string;
  close(): Promise<void>;
}
export declare function serveWeb(options: {
  root: string;
  host?: string;
  port?: number;
  isolated?: boolean;
  onRequest?(path: string, status: number): void;
}): Promise<WebServer>;
