// One labelled value of a detail panel (a <dt>/<dd> pair inside the caller's <dl>).
import type { ReactNode } from 'react';

export function Field({ label, value, tone }: { label: string; value: ReactNode; tone?: string | undefined }) {
  return (
    <div className={`detail-field${tone ? ` detail-field--${tone}` : ''}`}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}
