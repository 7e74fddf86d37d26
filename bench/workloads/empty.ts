// Start-up cost: nothing to do.
export {};
