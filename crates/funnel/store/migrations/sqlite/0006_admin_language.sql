-- Admin language (sqlite dialect): each admin user's chosen language for the admin pages
-- ('ja' or 'en'); NULL follows the browser's Accept-Language.
ALTER TABLE users ADD COLUMN language TEXT;
