/** How long ago an ISO date was, in the explorer's short words (`today`, `12 d ago`, `3 mo ago`, `2 y ago`). */
export function formatAge(created: string, now = Date.now()): string | undefined {
  const days = Math.floor((now - Date.parse(created)) / 86_400_000);
  if (Number.isNaN(days)) return undefined;
  return days < 1 ? 'today' : days < 60 ? `${days} d ago` : days < 730 ? `${Math.floor(days / 30)} mo ago` : `${Math.floor(days / 365)} y ago`;
}
