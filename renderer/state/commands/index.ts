/**
 * Applying any command: dispatch by `type` to the command's own file.
 */
import type { GraphDocument } from '../../document/types';
import { applyAddElements } from './add-elements';
import { applyBatch } from './batch';
import { applyAddFeedback } from './add-feedback';
import { applyMoveNodes } from './move-nodes';
import { applyRemoveElements } from './remove-elements';
import { applyRemoveFeedback } from './remove-feedback';
import { applyRenameNode } from './rename-node';
import { applySetMeta } from './set-meta';
import { applySetNodeProps } from './set-node-props';
import { applySetParams } from './set-params';
import { applySetRun } from './set-run';
import type { Applied, Command } from './types';

export * from './types';

/** Applies a command to a document; returns the new document and the inverse command. Throws `CommandError`. */
export function applyCommand(doc: GraphDocument, cmd: Command): Applied {
  switch (cmd.type) {
    case 'addElements':
      return applyAddElements(doc, cmd);
    case 'removeElements':
      return applyRemoveElements(doc, cmd);
    case 'moveNodes':
      return applyMoveNodes(doc, cmd);
    case 'setParams':
      return applySetParams(doc, cmd);
    case 'setNodeProps':
      return applySetNodeProps(doc, cmd);
    case 'renameNode':
      return applyRenameNode(doc, cmd);
    case 'setRun':
      return applySetRun(doc, cmd);
    case 'setMeta':
      return applySetMeta(doc, cmd);
    case 'addFeedback':
      return applyAddFeedback(doc, cmd);
    case 'removeFeedback':
      return applyRemoveFeedback(doc, cmd);
    case 'batch':
      return applyBatch(doc, cmd, applyCommand);
  }
}
