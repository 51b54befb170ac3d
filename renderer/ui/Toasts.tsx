/** The message line at the bottom: connection refusals, open errors, undo labels. */
import { useEffect } from 'react';
import { useApp, useServices } from '../app/context';

/** The toast. */
export function Toasts(): React.JSX.Element | null {
  const { studio } = useServices();
  const toast = useApp((s) => s.ui.toast);
  useEffect(() => {
    if (!toast) return;
    const t = setTimeout(
      () => {
        if (studio.state.ui.toast?.id === toast.id) studio.setUi({ toast: null });
      },
      toast.kind === 'error' ? 6000 : 2500,
    );
    return () => clearTimeout(t);
  }, [toast, studio]);
  if (!toast) return null;
  return (
    <div
      className={`toast toast-${toast.kind}`}
      data-testid="toast"
      data-kind={toast.kind}
      role={toast.kind === 'error' ? 'alert' : 'status'}
    >
      {toast.text}
    </div>
  );
}
