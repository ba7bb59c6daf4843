package im.server;
