<?php
// Drives the documentation's functions against a live server:
//   php login_and_refresh.php SERVER WORKSPACE CLIENT_ID CLIENT_SECRET USERNAME PASSWORD
// Prints one JSON object: what pmRestLogin(), pmRestRefresh() and a replayed pmRestRefresh() returned.
require __DIR__ . '/pm_rest_functions.php';
$pmServer = $argv[1];
$pmWorkspace = $argv[2];
ob_start();
$login = pmRestLogin($argv[3], $argv[4], $argv[5], $argv[6]);
$refresh = pmRestRefresh($argv[3], $argv[4], $login->refresh_token);
$replay = pmRestRefresh($argv[3], $argv[4], $login->refresh_token);
$printed = ob_get_clean();
echo json_encode(array('login' => $login, 'refresh' => $refresh, 'replay' => $replay, 'printed' => $printed));
