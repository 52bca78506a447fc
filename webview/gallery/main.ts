import { announceReady } from '../shared/host';

// The gallery panel's entry. Until the panel exists it only completes the ready handshake,
// which keeps the build, the size budget and the CSP path exercised.
const status = document.createElement('p');
status.textContent = 'Gallery';
document.body.append(status);
announceReady();
