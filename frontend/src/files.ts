// File actions shared by the toolbar and the keyboard shortcuts: native
// dialogs in the desktop app, the app's own dialogs in a browser.
import { api } from './api';
import { useDesigner } from './store';

const UNSAVED = 'The flow has unsaved changes. Discard them?';

export function fileActions() {
  const s = () => useDesigner.getState();
  const guard = () => !s().dirty || window.confirm(UNSAVED);
  const saveAs = async () => {
    if (api.isDesktop()) {
      const p = await api.saveDialog(`${s().doc.name}.yaml`);
      if (p) await s().save(p);
    } else {
      s().setDialog('saveAs');
    }
  };
  return {
    newFlow: () => {
      if (guard()) void s().newFlow();
    },
    open: async () => {
      if (!guard()) return;
      if (api.isDesktop()) {
        const p = await api.openDialog();
        if (p) await s().openPath(p);
      } else {
        s().setDialog('open');
      }
    },
    /** Saves to the flow's file; a flow never saved asks where first. */
    save: () => (s().path ? s().save() : saveAs()),
    saveAs,
    exportFlow: () => s().exportTo(''),
  };
}
