// One message at a time at the bottom: errors stay until dismissed, other
// notes fade out.
import { useEffect } from 'react';
import { useDesigner } from '../store';

export function Notice() {
  const notice = useDesigner((s) => s.notice);
  useEffect(() => {
    if (notice?.kind !== 'info') return;
    const t = setTimeout(() => useDesigner.setState({ notice: null }), 3500);
    return () => clearTimeout(t);
  }, [notice]);
  if (!notice) return null;
  return (
    <div className={`notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'} data-testid="notice">
      <span>{notice.text}</span>
      <button type="button" className="icon" onClick={() => useDesigner.setState({ notice: null })} aria-label="dismiss">×</button>
    </div>
  );
}
