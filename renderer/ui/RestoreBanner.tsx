/** Offers to restore unsaved work found in the autosave after a crash or a closed tab. */
import { useState } from 'react';
import { AUTOSAVE_KEY, type AutosaveRecord } from '../app/autosave';
import { useServices } from '../app/context';
import type { GraphDocument } from '../document/types';

/** The banner; shown once at start when the autosave holds unsaved work. */
export function RestoreBanner({
  found,
}: {
  found: { record: AutosaveRecord; doc: GraphDocument } | null;
}): React.JSX.Element | null {
  const { studio, host } = useServices();
  const [shown, setShown] = useState(found !== null);
  if (!shown || !found) return null;
  const when = new Date(found.record.savedAt).toLocaleString();
  return (
    <div className="restore-banner" data-testid="restore-banner" role="alert">
      Unsaved work from {when} ({found.doc.meta.name ?? found.record.fileName ?? 'Untitled'}, {found.doc.nodes.length}{' '}
      nodes) was found.
      <button
        data-testid="restore-autosave"
        onClick={() => {
          studio.replaceDocument(found.doc, { name: found.record.fileName, dirty: true });
          setShown(false);
        }}
      >
        Restore
      </button>
      <button
        onClick={() => {
          host.storage.remove(AUTOSAVE_KEY);
          setShown(false);
        }}
      >
        Discard
      </button>
    </div>
  );
}
