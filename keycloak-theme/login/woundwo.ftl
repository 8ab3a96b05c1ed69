<#-- Helpers shared by the WOUNDWO login templates: configuration lookups and the e-mail field. -->

<#-- Language of the page as a bare tag (fr, de, en); "en" when internationalization is off. -->
<#function lang>
    <#if realm.internationalizationEnabled && (locale.currentLanguageTag)?has_content>
        <#return locale.currentLanguageTag?lower_case?split("-")[0]>
    </#if>
    <#return "en">
</#function>

<#-- A theme property, trimmed; an unresolved ${env...} placeholder counts as empty. -->
<#function prop key>
    <#local value = ((properties[key])!"")?trim>
    <#if value?starts_with(r"${")>
        <#return "">
    </#if>
    <#return value>
</#function>

<#-- A per-language URL property such as contactUrl_fr; languages without a key use the _en one. -->
<#function localUrl name>
    <#local key = name + "_" + lang()>
    <#if (properties[key])??>
        <#return prop(key)>
    </#if>
    <#return prop(name + "_en")>
</#function>

<#-- A page of the bridge with the current language, or "" when no bridge is configured. -->
<#function bridgePage path>
    <#local base = prop("bridgeUrl")?remove_ending("/")>
    <#if !base?has_content>
        <#return "">
    </#if>
    <#return base + path + "?lang=" + lang()?url("UTF-8")>
</#function>

<#-- Endpoint of the live e-mail check, or "" when it is switched off. -->
<#function emailCheckUrl>
    <#local base = prop("bridgeUrl")?remove_ending("/")>
    <#if !base?has_content || prop("emailCheckEnabled")?lower_case == "false">
        <#return "">
    </#if>
    <#return base + "/api/v1/email-status">
</#function>

<#-- The e-mail field with its live-check state (data-email-status on the wrapper) and message.
     errorId: id of a server-side error that also describes the field, if any. -->
<#macro emailField value errorId="">
    <div class="ww-field ww-field--email" id="ww-email-field" data-email-status="${emailCheckUrl()?has_content?then("idle", "disabled")}">
        <label for="username" class="ww-label">${msg("wwEmailLabel")}</label>
        <div class="ww-input-wrap">
            <input id="username" name="username" type="text" class="ww-input" value="${value}"
                   inputmode="email" autocomplete="username" autocapitalize="none" spellcheck="false"
                   dir="ltr" autofocus aria-describedby="ww-email-message<#if errorId?has_content> ${errorId}</#if>"
                   <#if errorId?has_content>aria-invalid="true"</#if>/>
            <span class="ww-state-icon" aria-hidden="true"></span>
        </div>
        <div id="ww-email-live" class="ww-email-live" aria-live="polite" aria-atomic="true">
            <p id="ww-email-message" class="ww-email-message"></p>
        </div>
    </div>
    <#-- Texts for the live check, cloned by email-check.js; a template is never rendered. -->
    <template id="ww-email-texts">
        <span data-status="known">${msg("wwEmailKnown")}</span>
        <span data-status="unknown">${msg("wwEmailUnknown")}<#local contact = localUrl("contactUrl")><#if contact?has_content> <a href="${contact}">${msg("wwEmailUnknownContact")}</a></#if></span>
        <span data-status="invalid">${msg("wwEmailInvalid")}</span>
        <span data-status="throttled">${msg("wwEmailThrottled")}</span>
        <span data-status="unavailable">${msg("wwEmailUnavailable")}</span>
    </template>
</#macro>
