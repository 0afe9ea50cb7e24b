/**
 * The facts about a platform that every side needs: the service (detection, reply delivery), the domain's
 * Platform union and the dashboard. Each platform folder's `site.ts` is one of these, as pure data with
 * no imports, so the dashboard bundle can read it without pulling in capture code (the Twitch adapter
 * alone brings an IRC library).
 */
export interface PlatformSite {
  /** The stable name stored with every message and session. */
  readonly platform: string;
  /** What the dashboard shows for a URL of this platform. */
  readonly label: string;
  /** Hostnames (and their subdomains) the platform serves its live pages on; none for `generic`. */
  readonly hostPattern?: RegExp;
  /**
   * Where a person types in the platform's chat, for reply delivery. Without one, replies stay
   * suggestions (YouTube replies go through the Data API; TikTok's input is not known well enough).
   */
  readonly chatInput?: string;
}
