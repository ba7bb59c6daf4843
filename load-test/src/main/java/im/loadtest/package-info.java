package im.loadtest;
