<?php
// The WordPress side of bench/wordpress_real.py: a real WordPress (Debian's package)
// and the official WordPress Importer plugin, driven from the command line.
//
//   php wordpress_real.php SOCKET CONTENT_DIR IMPORTER_DIR install
//   php wordpress_real.php SOCKET CONTENT_DIR IMPORTER_DIR import FILE.xml   (prints JSON)
//   php wordpress_real.php SOCKET CONTENT_DIR IMPORTER_DIR export FILE.xml
//   php wordpress_real.php SOCKET CONTENT_DIR IMPORTER_DIR stats              (prints JSON)
//
// This file plays wp-config.php's part (the constants, then wp-settings.php), so
// nothing under /etc or /usr/share/wordpress is written.

[$script, $socket, $content_dir, $importer_dir, $command] = array_slice($argv, 0, 5);
$file = $argv[5] ?? '';

define('DB_NAME', 'wordpress');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', 'localhost:' . $socket);
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
define('WP_CONTENT_DIR', $content_dir);
define('WP_HOME', 'http://wordpress.test');
define('WP_SITEURL', 'http://wordpress.test');
define('ABSPATH', '/usr/share/wordpress/');
define('WP_DEBUG', false);
define('WP_LOAD_IMPORTERS', true);
define('DISABLE_WP_CRON', true);
$table_prefix = 'wp_';
$_SERVER['HTTP_HOST'] = 'wordpress.test';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
if ($command === 'install') {
    define('WP_INSTALLING', true);
}
require ABSPATH . 'wp-settings.php';

function stats(): array
{
    global $wpdb;
    $out = ['posts' => [], 'comments' => [], 'terms' => [], 'users' => 0];
    foreach ($wpdb->get_results(
        "SELECT ID, post_type, post_status, post_title, post_name, post_password <> '' AS locked,
                post_date_gmt, post_parent, CHAR_LENGTH(post_content) AS chars, post_content
         FROM {$wpdb->posts} WHERE post_type IN ('post', 'page', 'attachment')",
        ARRAY_A
    ) as $row) {
        $row['images'] = preg_match_all('/<img\b/i', $row['post_content']);
        $row['links'] = preg_match_all('/<a\b[^>]*href=/i', $row['post_content']);
        $row['headings'] = preg_match_all('/<h[2-6]\b/i', $row['post_content']);
        unset($row['post_content']);
        $out['posts'][] = $row;
    }
    $out['comments'] = $wpdb->get_results(
        "SELECT c.comment_ID, c.comment_post_ID, c.comment_parent, c.comment_approved,
                c.comment_type, p.post_type, p.post_status
         FROM {$wpdb->comments} c JOIN {$wpdb->posts} p ON p.ID = c.comment_post_ID",
        ARRAY_A
    );
    $out['terms'] = $wpdb->get_results(
        "SELECT t.slug, t.name, tt.taxonomy, tt.description FROM {$wpdb->terms} t
         JOIN {$wpdb->term_taxonomy} tt ON tt.term_id = t.term_id",
        ARRAY_A
    );
    $out['users'] = (int) $wpdb->get_var("SELECT COUNT(*) FROM {$wpdb->users}");
    return $out;
}

switch ($command) {
    case 'install':
        require_once ABSPATH . 'wp-admin/includes/upgrade.php';
        wp_install('Real WordPress', 'admin', 'admin@wordpress.test', true, '', 'a password');
        // Pretty links, so that exported <link>s look like a real site's.
        update_option('permalink_structure', '/%year%/%monthnum%/%postname%/');
        echo "installed\n";
        break;
    case 'import':
        require_once ABSPATH . 'wp-admin/includes/admin.php';
        require_once $importer_dir . '/src/wordpress-importer.php';
        wp_set_current_user(1);
        $parser = new WXR_Parser();
        $parsed = $parser->parse($file);
        if (is_wp_error($parsed)) {
            fwrite(STDERR, $parsed->get_error_message() . "\n");
            exit(2);
        }
        // What the importer's second screen posts: create each author as a user.
        $_POST['imported_authors'] = array_keys($parsed['authors']);
        $importer = new WP_Import();
        $importer->fetch_attachments = false;
        ob_start();
        $importer->import($file);
        $log = ob_get_clean();
        echo json_encode(['log' => strip_tags($log), 'stats' => stats()]);
        break;
    case 'export':
        require_once ABSPATH . 'wp-admin/includes/export.php';
        ob_start();
        export_wp(['content' => 'all']);
        file_put_contents($file, ob_get_clean());
        echo "exported\n";
        break;
    case 'stats':
        echo json_encode(stats());
        break;
    default:
        fwrite(STDERR, "unknown command $command\n");
        exit(2);
}
